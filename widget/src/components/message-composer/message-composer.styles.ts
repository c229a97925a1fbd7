import { css } from 'lit';

export const messageComposerStyles = css`
  .layout {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(min(100%, 18rem), 1fr));
    gap: 1rem;
  }
  .field-row + .field-row {
    margin-top: 0.875rem;
  }
  .label-line {
    display: flex;
    justify-content: space-between;
    align-items: baseline;
    gap: 0.5rem;
  }
  .counter {
    font-size: 0.8125rem;
    color: var(--_hr-muted);
    font-variant-numeric: tabular-nums;
  }
  .counter.near {
    color: var(--_hr-warning-text);
  }
  .required {
    margin: 0.25rem 0 0;
    font-size: 0.8125rem;
    color: var(--_hr-danger);
  }
  textarea {
    min-height: 11rem;
    resize: vertical;
  }
  .placeholders {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.375rem;
    margin-top: 0.875rem;
    font-size: 0.8125rem;
  }
  .placeholders .btn {
    min-height: 1.875rem;
    padding: 0.125rem 0.5rem;
    font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    font-size: 0.8125rem;
    font-weight: 500;
  }
  .preview {
    align-self: start;
    padding: 0.875rem 1rem;
    border: 1px solid var(--_hr-border);
    border-radius: var(--_hr-radius);
    background: var(--_hr-subtle);
    min-width: 0;
  }
  .preview h3 {
    margin: 0 0 0.5rem;
    font-size: 0.875rem;
    color: var(--_hr-muted);
    font-weight: 600;
  }
  .preview-subject {
    margin: 0 0 0.5rem;
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  .preview-body {
    margin: 0;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
`;
