import { css } from 'lit';

export const contactListStyles = css`
  .toolbar {
    display: grid;
    gap: 0.75rem;
    margin-bottom: 0.75rem;
  }
  .filters {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(min(100%, 10rem), 1fr));
    gap: 0.75rem;
  }
  .filters label.field {
    font-size: 0.8125rem;
  }
  .bar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: 0.5rem 1rem;
    padding: 0.5rem 0.75rem;
    border: 1px solid var(--_hr-border);
    border-bottom: none;
    border-radius: var(--_hr-radius) var(--_hr-radius) 0 0;
    background: var(--_hr-subtle);
  }
  .bar .count {
    flex: 1;
    margin: 0;
    font-size: 0.875rem;
  }
  .bar .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem;
  }
  .bar .btn.link {
    min-height: 1.75rem;
    padding-block: 0;
    font-size: 0.875rem;
  }
  /* The offer to undo takes a line of its own under the count, only while it stands. */
  .undo {
    flex-basis: 100%;
    margin: 0;
    font-size: 0.875rem;
  }
  .limit {
    margin: 0 0 0.75rem;
  }
  /*
   * Rows have one fixed height, so where row 99,999 sits is known without rendering the rows
   * before it. The track gives the list its height; rows are laid over it where they belong.
   */
  .list {
    --_hr-row-height: 3.5rem;
    position: relative;
    contain: strict;
    height: min(var(--hr-contact-list-max-height, 26rem), calc(var(--_hr-rows, 1) * var(--_hr-row-height) + 2px));
    margin: 0;
    padding: 0;
    overflow-y: auto;
    border: 1px solid var(--_hr-border);
    border-radius: 0 0 var(--_hr-radius) var(--_hr-radius);
  }
  .list:focus-visible,
  .cell:focus-visible {
    outline: 2px solid var(--_hr-focus);
    outline-offset: -2px;
  }
  .list[aria-busy='true'] {
    cursor: progress;
  }
  .track {
    width: 1px;
    visibility: hidden;
  }
  .row {
    position: absolute;
    top: 0;
    left: 0;
    width: 100%;
    height: var(--_hr-row-height);
    border-bottom: 1px solid var(--_hr-border);
    overflow: hidden;
  }
  .cell,
  .row label {
    display: flex;
    align-items: center;
    gap: 0.75rem;
    height: 100%;
    min-width: 0;
  }
  .cell {
    padding: 0 0.75rem;
  }
  .row label {
    flex: 1;
    cursor: pointer;
  }
  .row.unavailable {
    background: var(--_hr-subtle);
  }
  .row.unavailable label {
    cursor: default;
  }
  .row.selected {
    background: var(--hr-contact-selected-background, var(--_hr-success-surface));
  }
  .row.placeholder {
    color: var(--_hr-muted);
  }
  .avatar {
    display: grid;
    flex: none;
    width: 2.25rem;
    height: 2.25rem;
    place-items: center;
    border-radius: 50%;
    background: var(--_hr-subtle);
    color: var(--_hr-text);
    font-size: 0.8125rem;
    font-weight: 700;
  }
  .who {
    flex: 1;
    min-width: 0;
  }
  /*
   * A line's parts each shrink on their own: a long name is cut, never the badges after it, and
   * the details and the email are two items apart ("Berlin · aarav@…" never runs together).
   */
  .line {
    display: flex;
    align-items: baseline;
    gap: 0.25rem 0.75rem;
    min-width: 0;
    white-space: nowrap;
    line-height: 1.35;
  }
  .line > * {
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .line > .name {
    flex: 0 1 auto;
  }
  .line > .marker {
    flex: none;
  }
  .details {
    font-size: 0.8125rem;
    color: var(--_hr-muted);
  }
  .details > .meta {
    flex: 0 3 auto;
  }
  /* The email gives way last: it is what tells two people of the same name apart. */
  .details > .email {
    flex: 0 1 auto;
    margin-inline-start: auto;
  }
  .details > .meta:empty {
    display: none;
  }
  /*
   * In a narrow list (320 px screens) the details and the email share no line: each would be cut
   * to a letter or two. The rows grow to three lines instead (the row window measures a row).
   */
  :host {
    container-type: inline-size;
  }
  @container (width < 30rem) {
    .list {
      --_hr-row-height: 4.5rem;
    }
    .details {
      flex-direction: column;
      align-items: stretch;
      gap: 0;
    }
    .details > .email {
      margin: 0;
    }
  }
  .marker {
    padding: 0 0.4rem;
    border-radius: 999px;
    font-size: 0.75rem;
    font-weight: 600;
    line-height: 1.5;
  }
  /* The scheme's own colours (styles/shared.styles.ts), so the markers follow light and dark. */
  .marker.member {
    background: var(--_hr-success-surface);
    color: var(--_hr-success-text);
  }
  .marker.invited {
    background: var(--_hr-subtle);
    color: var(--_hr-focus);
  }
  .marker.no-email {
    background: var(--_hr-subtle);
    color: var(--_hr-warning-text);
  }
  /* Not a neutral tag: a reason to think twice before ticking. It gives way before the name does. */
  .line > .marker.warning {
    flex: 0 2 auto;
    border: 1px solid;
    color: var(--_hr-warning-text);
  }
  .marker.warning::before {
    content: '⚠ ' / '';
  }
  .empty {
    height: auto;
    padding: 1.5rem 0.75rem;
    text-align: center;
    color: var(--_hr-muted);
  }
  .more {
    margin: 0.5rem 0 0;
    font-size: 0.875rem;
  }
`;
