import { css } from 'lit';

export const providerConnectStyles = css`
  form {
    display: grid;
    gap: 0.875rem;
    max-width: 32rem;
  }
  h3 {
    margin: 0;
    font-size: 1rem;
  }
  p {
    margin: 0;
  }
  input[aria-invalid='true'] {
    border-color: var(--_hr-danger);
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
  }
`;
