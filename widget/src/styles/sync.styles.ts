import { css } from 'lit';

/** What the rule editor and the Updates view share: sections, fieldsets, report lines, notes. */
export const syncStyles = css`
  section + section {
    margin-top: 1.25rem;
  }
  h3 {
    margin: 0 0 0.5rem;
    font-size: 1rem;
  }
  h3:focus {
    outline: none;
  }
  h3:focus-visible {
    outline: 3px solid var(--_hr-focus);
  }
  h4 {
    margin: 0 0 0.25rem;
    font-size: 0.9375rem;
  }
  p {
    margin: 0 0 0.5rem;
    overflow-wrap: anywhere;
  }
  fieldset {
    min-width: 0;
    margin: 0 0 1rem;
    padding: 0;
    border: 0;
  }
  legend {
    margin-bottom: 0.375rem;
    padding: 0;
    font-weight: 600;
  }
  .choices {
    display: flex;
    flex-wrap: wrap;
    gap: 0.375rem 1.25rem;
  }
  input[type='radio'] {
    margin: 0;
    accent-color: var(--_hr-accent);
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem;
    margin-top: 0.75rem;
  }
  .actions .spacer {
    flex: 1;
  }
  .note {
    font-size: 0.8125rem;
    color: var(--_hr-muted);
  }
  .warning {
    color: var(--_hr-warning-text);
  }
  .success {
    padding: 0.625rem 0.75rem;
    border: 1px solid var(--_hr-success-border);
    border-radius: calc(var(--_hr-radius) - 2px);
    background: var(--_hr-success-surface);
    color: var(--_hr-success-text);
  }
  .figures {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    margin: 0 0 0.75rem;
    padding: 0;
    list-style: none;
  }
  .figures li {
    flex: 1 1 7rem;
    padding: 0.5rem 0.75rem;
    border: 1px solid var(--_hr-border);
    border-radius: calc(var(--_hr-radius) - 2px);
  }
  .figures strong {
    display: block;
    font-size: 1.125rem;
    font-variant-numeric: tabular-nums;
  }
  .rows {
    margin: 0;
    padding: 0;
    list-style: none;
    border: 1px solid var(--_hr-border);
    border-radius: var(--_hr-radius);
  }
  .rows > li {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.375rem 0.75rem;
    padding: 0.5rem 0.75rem;
  }
  .rows > li + li {
    border-top: 1px solid var(--_hr-border);
  }
  .rows .who {
    flex: 1 1 10rem;
  }
  .rows .what {
    flex: 1 1 8rem;
    font-size: 0.8125rem;
    color: var(--_hr-muted);
    overflow-wrap: anywhere;
  }
  .rows .row-actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem;
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem;
    margin: 0 0 0.5rem;
  }
`;
