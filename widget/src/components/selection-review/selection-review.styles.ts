import { css } from 'lit';

export const selectionReviewStyles = css`
  .warning {
    margin: 0 0 1rem;
    padding: 0.75rem 1rem;
    border: 1px solid;
    border-inline-start-width: 4px;
    border-radius: var(--_hr-radius);
    color: var(--_hr-warning-text);
  }
  .warning > * {
    margin: 0 0 0.5rem;
  }
  .warning ul {
    padding-inline-start: 1.25rem;
  }
  .names {
    color: var(--_hr-text);
  }
  .left-out {
    margin: 0 0 1rem;
  }
`;
