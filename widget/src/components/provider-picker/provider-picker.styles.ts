import { css } from 'lit';

export const providerPickerStyles = css`
  .providers {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(min(100%, 12rem), 1fr));
    gap: 0.75rem;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .provider {
    position: relative;
    display: flex;
    min-height: 4rem;
    align-items: center;
    gap: 0.75rem;
    padding: 0.75rem;
    border: 1px solid var(--_hr-border);
    border-radius: var(--_hr-radius);
    background: var(--_hr-surface);
  }
  .provider:not(.ready) {
    background: var(--_hr-subtle);
  }
  .provider.ready:hover,
  .provider.own:hover {
    border-color: var(--_hr-accent);
    box-shadow: 0 1px 4px var(--_hr-shadow);
  }
  .provider:has(.name:focus-visible) {
    outline: 3px solid var(--_hr-focus);
    outline-offset: 2px;
  }
  .name {
    padding: 0;
    border: none;
    background: none;
    color: var(--_hr-text);
    font: inherit;
    font-weight: 600;
    text-align: left;
    overflow-wrap: anywhere;
    cursor: pointer;
  }
  .name::after {
    content: '';
    position: absolute;
    inset: 0;
    border-radius: inherit;
  }
  .name:focus-visible {
    outline: none;
  }
  .name:disabled {
    cursor: not-allowed;
  }
  .logo {
    display: grid;
    flex: none;
    width: 2.5rem;
    height: 2.5rem;
    place-items: center;
    border-radius: calc(var(--_hr-radius) - 2px);
    background: var(--hr-provider-logo-background, var(--_hr-dark-provider-logo-background, #e7f3ec));
    color: var(--hr-provider-logo-color, var(--_hr-dark-provider-logo-color, #0f5132));
    font-weight: 700;
  }
  /* Brand colors are made for a light ground, in either scheme (Personio's is black). */
  .logo.brand {
    border: 1px solid var(--_hr-border);
    background: #fff;
  }
  .logo svg,
  .logo img {
    width: 1.5rem;
    height: 1.5rem;
    object-fit: contain;
  }
  .text {
    display: grid;
    min-width: 0;
  }
  .state {
    font-size: 0.8125rem;
    color: var(--_hr-muted);
  }
  .state.error {
    color: var(--_hr-danger);
  }
  /* Above the name button, which stretches over the whole card. */
  .actions {
    position: relative;
    z-index: 1;
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem;
    margin-inline-start: -0.25rem;
  }
  .actions .btn {
    min-height: 1.75rem;
    font-size: 0.8125rem;
  }
  .check {
    font-size: 0.8125rem;
    color: var(--_hr-muted);
    overflow-wrap: anywhere;
  }
  .check.ok {
    color: var(--_hr-accent);
  }
  .check.error {
    color: var(--_hr-danger);
  }
`;
