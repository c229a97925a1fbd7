import { css } from 'lit';

export const roleAssignerStyles = css`
  .bulk {
    display: grid;
    gap: 0.25rem;
    max-width: 22rem;
    margin-bottom: 1rem;
  }
  .people {
    margin: 0;
    padding: 0;
    border: 1px solid var(--_hr-border);
    border-radius: var(--_hr-radius);
    list-style: none;
    max-height: var(--hr-role-list-max-height, 24rem);
    overflow-y: auto;
  }
  .person {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: 0.5rem 1rem;
    padding: 0.625rem 0.75rem;
  }
  .person + .person {
    border-top: 1px solid var(--_hr-border);
  }
  .person select {
    width: auto;
    min-width: 8rem;
  }
  .rest {
    margin: 0.625rem 0 0;
    color: var(--_hr-muted);
  }
`;
