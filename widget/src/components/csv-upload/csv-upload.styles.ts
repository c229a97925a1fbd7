import { css } from 'lit';

export const csvUploadStyles = css`
  form,
  .step {
    display: grid;
    gap: 0.875rem;
  }
  h3 {
    margin: 0;
    font-size: 1rem;
  }
  p {
    margin: 0;
  }
  .drop {
    display: grid;
    justify-items: center;
    gap: 0.5rem;
    padding: 1.5rem 1rem;
    border: 2px dashed var(--_hr-border);
    border-radius: var(--_hr-radius);
    background: var(--_hr-subtle);
    color: var(--_hr-muted);
    text-align: center;
  }
  .drop.over {
    border-color: var(--_hr-accent);
    background: var(--_hr-surface);
    color: var(--_hr-accent);
  }
  /* The zone stays the drop target while the file passes over its text and button. */
  .drop.over * {
    pointer-events: none;
  }
  .drop .icon {
    width: 2.25rem;
    height: 2.25rem;
  }
  .drop-text {
    color: var(--_hr-text);
  }
  .choose {
    margin-inline-start: 0.25rem;
  }
  .mapping {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr));
    gap: 0.75rem;
    margin: 0;
    padding: 0;
    border: 0;
  }
  .mapping legend {
    padding: 0;
    margin-bottom: 0.5rem;
    font-weight: 600;
  }
  .map {
    display: grid;
    gap: 0.25rem;
  }
  /*
   * Words wrap only between them, never inside one ("Wolfeschlegel-/steinhausen"): a table wider
   * than the step scrolls sideways in here instead.
   */
  .table {
    overflow-x: auto;
    border: 1px solid var(--_hr-border);
    border-radius: var(--_hr-radius);
  }
  .table:focus-visible {
    outline: 2px solid var(--_hr-focus);
    outline-offset: 2px;
  }
  table {
    width: 100%;
    border-collapse: collapse;
    font-size: 0.875em;
  }
  caption {
    text-align: start;
    padding: 0.5rem 0.75rem;
    font-weight: 600;
  }
  th,
  td {
    padding: 0.375rem 0.75rem;
    text-align: start;
    border-top: 1px solid var(--_hr-border);
  }
  tr.no-email td {
    color: var(--_hr-muted);
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
  }
`;
