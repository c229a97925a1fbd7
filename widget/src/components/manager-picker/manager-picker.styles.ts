import { css } from 'lit';

export const managerPickerStyles = css`
  :host {
    display: block;
  }
  input[type='search'] {
    max-width: 20rem;
  }
  .matches {
    margin: 0.25rem 0 0;
    padding: 0;
    list-style: none;
  }
  .matches button {
    text-align: start;
  }
  .chosen {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: 0.5rem;
    margin: 0 0 0.25rem;
  }
`;
