import { css } from 'lit';

export const syncUpdatesStyles = css`
  .kinds {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem;
    margin: 0 0 0.5rem;
  }
  .kinds .btn[aria-pressed='true'] {
    border-color: var(--_hr-accent);
    color: var(--_hr-accent);
  }
  .rows {
    max-height: var(--hr-updates-list-max-height, 22rem);
    overflow-y: auto;
  }
  hr-seat-meter {
    margin: 0 0 0.5rem;
  }
`;
