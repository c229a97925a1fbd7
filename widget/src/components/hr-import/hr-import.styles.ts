import { css } from 'lit';
import { textReset } from '../../styles/shared.styles.js';

export const hrImportStyles = css`
  /*
   * In a host that bounds the widget's height (a dialog, a panel), the header and the footer stay
   * in view and only the body scrolls; elsewhere the card is as tall as its content.
   */
  :host {
    container-type: inline-size;
    display: flex;
    flex-direction: column;
    min-height: 0;
  }
  .card {
    ${textReset}
    display: flex;
    flex-direction: column;
    min-width: 0;
    min-height: 0;
    gap: 1rem;
    padding: var(--hr-card-padding, 1.25rem);
    border: 1px solid var(--_hr-border);
    border-radius: calc(var(--_hr-radius) + 4px);
    background: var(--_hr-surface);
    box-shadow: var(--hr-card-shadow, 0 1px 3px var(--_hr-shadow), 0 8px 24px var(--_hr-shadow));
  }
  /* The dark defaults, while the host's color-scheme is dark (SchemeController). */
  .card.dark {
    color-scheme: dark;
    --_hr-dark-accent: #3fb970;
    --_hr-dark-on-accent: #0b1f13;
    --_hr-dark-text: #e6edf3;
    --_hr-dark-muted: #9da7b3;
    --_hr-dark-border: #3d444d;
    --_hr-dark-surface: #151b23;
    --_hr-dark-subtle: #212830;
    --_hr-dark-danger: #f47067;
    --_hr-dark-focus: #4493f8;
    --_hr-dark-danger-surface: #2d1416;
    --_hr-dark-danger-border: #8e2c27;
    --_hr-dark-danger-text: #ffb8b0;
    --_hr-dark-success-surface: #12261a;
    --_hr-dark-success-border: #2e6b45;
    --_hr-dark-success-text: #8ddba8;
    --_hr-dark-warning-text: #f0b160;
    --_hr-dark-shadow: rgb(0 0 0 / 0.4);
    --_hr-dark-seat-meter-track: #2a313a;
    --_hr-dark-seat-meter-used: #9da7b3;
    --_hr-dark-provider-logo-background: #12261a;
    --_hr-dark-provider-logo-color: #8ddba8;
  }
  .header {
    display: grid;
    gap: 0.75rem;
  }
  .target {
    margin: 0;
    font-size: 0.875rem;
    color: var(--_hr-muted);
  }
  .target strong {
    color: var(--_hr-text);
  }
  /* One line at every width: a narrow widget shows only the current step's label (below). */
  .steps {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    margin: 0;
    padding: 0;
    list-style: none;
    font-size: 0.8125rem;
    color: var(--_hr-muted);
  }
  .steps li,
  .step {
    display: flex;
    align-items: center;
    gap: 0.375rem;
    min-width: 0;
  }
  /* The separator is a line drawn by CSS, never text that could be left dangling. */
  .steps li + li::before {
    content: '';
    flex: 0 1 1.5rem;
    min-width: 0.5rem;
    height: 1px;
    background: var(--_hr-border);
  }
  .step {
    margin: -0.25rem;
    padding: 0.25rem;
    border: 0;
    border-radius: var(--_hr-radius);
    background: none;
    color: inherit;
    font: inherit;
    cursor: pointer;
  }
  .step:hover .label {
    color: var(--_hr-text);
    text-decoration: underline;
  }
  .steps .num {
    display: inline-grid;
    flex: none;
    width: 1.375rem;
    height: 1.375rem;
    place-items: center;
    border: 1px solid var(--_hr-border);
    border-radius: 50%;
    font-weight: 600;
    font-variant-numeric: tabular-nums;
  }
  .steps .done .num {
    border-color: var(--_hr-success-border);
    background: var(--_hr-success-surface);
    color: var(--_hr-success-text);
  }
  .steps [aria-current='step'] {
    color: var(--_hr-text);
    font-weight: 600;
  }
  .steps [aria-current='step'] .num {
    border-color: var(--_hr-accent);
    background: var(--_hr-accent);
    color: var(--_hr-on-accent);
  }
  h2 {
    margin: 0;
    font-size: 1.25rem;
    line-height: 1.3;
    overflow-wrap: anywhere;
  }
  h2:focus {
    outline: none;
  }
  h2:focus-visible {
    outline: 3px solid var(--_hr-focus);
  }
  /* The margin gives the focus rings of the body's edge fields room inside its scroll box. */
  .body {
    flex: 1 1 auto;
    min-width: 0;
    min-height: 0;
    margin: -4px;
    padding: 4px;
    overflow: auto;
  }
  .footer {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem;
    padding-top: 1rem;
    border-top: 1px solid var(--_hr-border);
  }
  .footer .spacer {
    flex: 1;
  }
  .header,
  h2,
  .footer {
    flex: none;
  }
  .reconnect {
    margin: 0.75rem 0;
  }
  .tabs {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem;
    border-bottom: 1px solid var(--_hr-border);
  }
  .tabs .btn {
    border-radius: 0;
    border-bottom: 2px solid transparent;
    color: var(--_hr-muted);
  }
  .tabs [aria-current] {
    border-bottom-color: var(--_hr-accent);
    color: var(--_hr-text);
  }
  .review {
    margin: 0.75rem 0 0;
    font-weight: 600;
  }
  .keep-in-sync {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.25rem 0.75rem;
    margin-top: 1rem;
    font-size: 0.875rem;
  }
  .reconnect p {
    margin: 0 0 0.5rem;
  }
  .discard {
    display: flex;
    flex: 1;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem;
  }
  .btn.danger {
    border-color: var(--_hr-danger);
    background: var(--_hr-danger);
    color: var(--_hr-on-accent);
  }
  .footer-note {
    flex-basis: 100%;
    margin: 0;
    font-size: 0.8125rem;
    color: var(--_hr-muted);
  }
  p {
    margin: 0;
  }
  @container (max-width: 26rem) {
    .card {
      padding: var(--hr-card-padding, 0.875rem);
    }
    h2 {
      font-size: 1.125rem;
    }
    /* Cancel, Back and the primary action share one row; a long label wraps inside its button. */
    .footer .btn {
      flex: 1 1 0;
      padding-inline: 0.5rem;
    }
    .footer .spacer {
      display: none;
    }
    .steps li:not([aria-current]) .label {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
    }
  }
`;
