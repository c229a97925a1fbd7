import { css } from 'lit';

export const syncRuleEditorStyles = css`
  .panel {
    min-width: 0;
  }
  .scope {
    font-weight: 600;
    unicode-bidi: isolate;
  }
  select.narrow {
    max-width: 20rem;
  }
  .by-role {
    margin: 0 0 0.5rem;
    padding-inline-start: 1.25rem;
  }
  hr-seat-meter {
    margin: 0 0 0.5rem;
  }
  .reason {
    flex-basis: 100%;
    margin: 0;
  }
`;
