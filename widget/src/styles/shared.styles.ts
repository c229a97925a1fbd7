import { css } from 'lit';

/**
 * Styles every part of the widget shares. Public custom properties (`--hr-*`) inherit through
 * the shadow roots, so a host sets them once on `hr-import`; `--_hr-*` are private shorthands.
 */
export const sharedStyles = css`
  :host {
    --_hr-accent: var(--hr-color-accent, #157347);
    --_hr-on-accent: var(--hr-color-on-accent, #ffffff);
    --_hr-text: var(--hr-color-text, #1f2328);
    --_hr-muted: var(--hr-color-muted, #57606a);
    --_hr-border: var(--hr-color-border, #d0d7de);
    --_hr-surface: var(--hr-color-surface, #ffffff);
    --_hr-subtle: var(--hr-color-subtle, #f6f8fa);
    --_hr-danger: var(--hr-color-danger, #b42318);
    --_hr-focus: var(--hr-color-focus, #0969da);
    --_hr-radius: var(--hr-radius, 8px);
    display: block;
    box-sizing: border-box;
    color: var(--_hr-text);
    font-family: var(
      --hr-font-family,
      system-ui,
      -apple-system,
      'Segoe UI',
      Roboto,
      'Helvetica Neue',
      Arial,
      sans-serif
    );
    font-size: var(--hr-font-size, 0.9375rem);
    line-height: 1.45;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  [hidden] {
    display: none !important;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  .btn {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 0.375rem;
    min-height: 2.25rem;
    padding: 0.375rem 0.875rem;
    border: 1px solid var(--_hr-border);
    border-radius: calc(var(--_hr-radius) - 2px);
    background: var(--_hr-surface);
    color: var(--_hr-text);
    font: inherit;
    font-weight: 600;
    cursor: pointer;
  }
  .btn:hover:not(:disabled) {
    background: var(--_hr-subtle);
  }
  .btn.primary {
    border-color: var(--_hr-accent);
    background: var(--_hr-accent);
    color: var(--_hr-on-accent);
  }
  .btn.primary:hover:not(:disabled) {
    background: var(--_hr-accent);
    filter: brightness(0.92);
  }
  .btn:disabled {
    cursor: not-allowed;
    opacity: 0.55;
  }
  .btn.link {
    border-color: transparent;
    background: transparent;
    color: var(--_hr-accent);
    padding-inline: 0.25rem;
  }
  :focus-visible {
    outline: 3px solid var(--_hr-focus);
    outline-offset: 2px;
  }
  input[type='search'],
  input[type='text'],
  input[type='password'],
  select,
  textarea {
    width: 100%;
    min-height: 2.25rem;
    padding: 0.375rem 0.625rem;
    border: 1px solid var(--_hr-border);
    border-radius: calc(var(--_hr-radius) - 2px);
    background: var(--_hr-surface);
    color: var(--_hr-text);
    font: inherit;
  }
  input[type='checkbox'] {
    width: 1.05rem;
    height: 1.05rem;
    margin: 0;
    accent-color: var(--_hr-accent);
    flex: none;
  }
  label.field {
    display: block;
    margin-bottom: 0.25rem;
    font-weight: 600;
  }
  label.check {
    display: inline-flex;
    align-items: center;
    gap: 0.5rem;
    cursor: pointer;
  }
  .muted {
    color: var(--_hr-muted);
  }
  .alert {
    margin: 0.75rem 0;
    padding: 0.625rem 0.75rem;
    border: 1px solid #f0b4ae;
    border-left: 4px solid var(--_hr-danger);
    border-radius: calc(var(--_hr-radius) - 2px);
    background: #fef3f2;
    color: #7a1a12;
  }
  .alert .btn {
    margin-top: 0.5rem;
  }
  .loading {
    padding: 1rem 0;
    color: var(--_hr-muted);
  }
  /* A person as every list shows one: name over email, long or right-to-left names wrapping. */
  .who {
    display: grid;
    min-width: 0;
  }
  .name {
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  .email {
    font-size: 0.8125rem;
    color: var(--_hr-muted);
    overflow-wrap: anywhere;
  }
`;
