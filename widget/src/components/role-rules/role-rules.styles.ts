import { css } from 'lit';

export const roleRulesStyles = css`
  .rules {
    display: grid;
    gap: 0.5rem;
    margin: 0 0 0.5rem;
    padding: 0;
    list-style: none;
  }
  .rule {
    display: grid;
    grid-template-columns: minmax(0, 1fr) minmax(0, 0.8fr) minmax(0, 1.2fr) minmax(0, 1fr) auto;
    align-items: center;
    gap: 0.375rem;
    padding: 0.5rem;
    border: 1px solid var(--_hr-border);
    border-radius: calc(var(--_hr-radius) - 2px);
  }
  .then {
    display: none;
  }
  .hint {
    margin: 0 0 0.5rem;
    font-size: 0.8125rem;
  }
  /* Narrow: the row's parts stack, each as wide as the card. */
  @container (max-width: 34rem) {
    .rule {
      grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
    }
    .rule .value,
    .rule .remove {
      grid-column: 1 / -1;
    }
  }
`;
