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
    gap: 0.375rem;
    padding: 0.5rem;
    border: 1px solid var(--_hr-border);
    border-radius: calc(var(--_hr-radius) - 2px);
  }
  .conditions {
    display: grid;
    gap: 0.375rem;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .condition {
    display: grid;
    grid-template-columns: minmax(0, 1fr) minmax(0, 0.8fr) minmax(0, 1.2fr) auto;
    align-items: center;
    gap: 0.375rem;
  }
  /* The role and the row's buttons: after the conditions, as "then". */
  .then {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.375rem;
  }
  .then select {
    flex: 1 1 10rem;
    max-width: 16rem;
  }
  .hint {
    margin: 0 0 0.5rem;
    font-size: 0.8125rem;
  }
  .rule .hint {
    margin: 0;
  }
  /* Narrow: a condition's parts stack, each as wide as the card. */
  @container (max-width: 34rem) {
    .condition {
      grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
    }
    .condition .value,
    .condition .btn {
      grid-column: 1 / -1;
    }
  }
`;
