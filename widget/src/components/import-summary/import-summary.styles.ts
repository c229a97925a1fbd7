import { css } from 'lit';

export const importSummaryStyles = css`
  .totals {
    display: flex;
    flex-wrap: wrap;
    gap: 0.75rem;
    margin: 0 0 1rem;
  }
  .total {
    flex: 1 1 8rem;
    margin: 0;
    padding: 0.75rem 1rem;
    border: 1px solid var(--_hr-border);
    border-radius: var(--_hr-radius);
    font-size: 1rem;
    font-weight: 600;
  }
  .total.invited {
    border-color: var(--_hr-success-border);
    background: var(--_hr-success-surface);
    color: var(--_hr-success-text);
  }
  .total.none,
  .total.skipped {
    background: var(--_hr-subtle);
  }
  h3 {
    margin: 0 0 0.5rem;
    font-size: 0.9375rem;
  }
  .list {
    margin: 0 0 1rem;
    padding: 0;
    border: 1px solid var(--_hr-border);
    border-radius: var(--_hr-radius);
    list-style: none;
    max-height: var(--hr-skipped-list-max-height, 18rem);
    overflow-y: auto;
  }
  .list li {
    display: flex;
    flex-wrap: wrap;
    justify-content: space-between;
    gap: 0.25rem 1rem;
    padding: 0.5rem 0.75rem;
  }
  .list li + li {
    border-top: 1px solid var(--_hr-border);
  }
  .who {
    display: flex;
    flex-direction: column;
    min-width: 0;
  }
  .email {
    font-size: 0.8125rem;
    color: var(--_hr-muted);
    overflow-wrap: anywhere;
  }
  .by-role,
  .outcome {
    margin: 0 0 0.75rem;
  }
  .role,
  .more,
  .reason {
    font-size: 0.8125rem;
    color: var(--_hr-muted);
    overflow-wrap: anywhere;
  }
  .seats {
    margin: 1rem 0 0;
    color: var(--_hr-muted);
  }
`;
