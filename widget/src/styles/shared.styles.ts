import { css } from 'lit';

/** The inherited text properties, each set, so a host page's values do not reach inside. */
export const textReset = css`
  color: var(--_hr-text);
  font-family: var(--hr-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif);
  font-size: var(--hr-font-size, 0.9375rem);
  font-style: normal;
  font-weight: 400;
  font-variant: normal;
  line-height: 1.45;
  letter-spacing: normal;
  word-spacing: normal;
  text-align: start;
  text-indent: 0;
  text-transform: none;
  text-shadow: none;
  white-space: normal;
  cursor: auto;
`;

/**
 * Styles every part of the widget shares. Public custom properties (`--hr-*`) inherit through
 * the shadow roots, so a host sets them once on `hr-import`; `--_hr-*` are private shorthands.
 *
 * Light or dark follows the host: each default reads a `--_hr-dark-*` value first, which
 * `<hr-import>`'s card sets when the `color-scheme` it inherits from the page is dark (see
 * styles/scheme.ts); the inner elements inherit it. A `--hr-*` the host sets wins over both.
 * (Not `light-dark()`: axe-core's checks slowed tenfold on it.)
 *
 * Inherited text properties are set explicitly (`textReset`), on `:host` and again on the card
 * of `<hr-import>`: a host rule such as `* { font: … }` matches the host element itself (and
 * wins over `:host`), but never the card inside the shadow root, so nothing of it leaks in.
 */
export const sharedStyles = css`
  :host,
  .scheme {
    --_hr-accent: var(--hr-color-accent, var(--_hr-dark-accent, #157347));
    --_hr-on-accent: var(--hr-color-on-accent, var(--_hr-dark-on-accent, #ffffff));
    --_hr-text: var(--hr-color-text, var(--_hr-dark-text, #1f2328));
    --_hr-muted: var(--hr-color-muted, var(--_hr-dark-muted, #57606a));
    --_hr-border: var(--hr-color-border, var(--_hr-dark-border, #d0d7de));
    --_hr-surface: var(--hr-color-surface, var(--_hr-dark-surface, #ffffff));
    --_hr-subtle: var(--hr-color-subtle, var(--_hr-dark-subtle, #f6f8fa));
    --_hr-danger: var(--hr-color-danger, var(--_hr-dark-danger, #b42318));
    --_hr-focus: var(--hr-color-focus, var(--_hr-dark-focus, #0969da));
    --_hr-radius: var(--hr-radius, 8px);
    --_hr-danger-surface: var(--_hr-dark-danger-surface, #fef3f2);
    --_hr-danger-border: var(--_hr-dark-danger-border, #f0b4ae);
    --_hr-danger-text: var(--_hr-dark-danger-text, #7a1a12);
    --_hr-success-surface: var(--_hr-dark-success-surface, #eef7f1);
    --_hr-success-border: var(--_hr-dark-success-border, #9fd3b2);
    --_hr-success-text: var(--_hr-dark-success-text, #14532d);
    --_hr-warning-text: var(--_hr-dark-warning-text, #8a4b00);
    --_hr-shadow: var(--_hr-dark-shadow, rgb(31 35 40 / 0.08));
  }
  :host {
    display: block;
    max-width: 100%;
    box-sizing: border-box;
    ${textReset}
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
    border: 1px solid var(--_hr-danger-border);
    border-left: 4px solid var(--_hr-danger);
    border-radius: calc(var(--_hr-radius) - 2px);
    background: var(--_hr-danger-surface);
    color: var(--_hr-danger-text);
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
    unicode-bidi: isolate;
  }
  .email {
    font-size: 0.8125rem;
    color: var(--_hr-muted);
    overflow-wrap: anywhere;
  }
`;
