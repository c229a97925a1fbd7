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
    margin: 0;
    font-size: 0.875rem;
  }
  .limit {
    margin: 0 0 0.75rem;
  }
  .list {
    margin: 0;
    padding: 0;
    max-height: var(--hr-contact-list-max-height, 26rem);
    overflow-y: auto;
    border: 1px solid var(--_hr-border);
    border-radius: 0 0 var(--_hr-radius) var(--_hr-radius);
    list-style: none;
  }
  .list[aria-busy='true'] {
    cursor: progress;
  }
  .row + .row {
    border-top: 1px solid var(--_hr-border);
  }
  .row label {
    display: flex;
    align-items: center;
    gap: 0.75rem;
    padding: 0.625rem 0.75rem;
    cursor: pointer;
  }
  .row.unavailable label {
    cursor: default;
    background: var(--_hr-subtle);
  }
  .row.selected label {
    background: var(--hr-contact-selected-background, #eef7f1);
  }
  .avatar {
    display: grid;
    flex: none;
    width: 2.25rem;
    height: 2.25rem;
    place-items: center;
    border-radius: 50%;
    background: #e4e8ec;
    color: #32383f;
    font-size: 0.8125rem;
    font-weight: 700;
  }
  .who {
    flex: 1;
  }
  .meta {
    font-size: 0.8125rem;
    color: var(--_hr-muted);
    overflow-wrap: anywhere;
  }
  .markers {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem;
    margin-top: 0.125rem;
  }
  .marker {
    padding: 0 0.4rem;
    border-radius: 999px;
    font-size: 0.75rem;
    font-weight: 600;
    line-height: 1.5;
  }
  .marker.member {
    background: #dcf1e3;
    color: #14532d;
  }
  .marker.invited {
    background: #e3ecfb;
    color: #1e3a8a;
  }
  .marker.no-email {
    background: #fdecd8;
    color: #6b3200;
  }
  .marker.inactive {
    background: #e4e8ec;
    color: #32383f;
  }
  .empty {
    padding: 1.5rem 0.75rem;
    text-align: center;
    color: var(--_hr-muted);
  }
  .more {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: 0.5rem;
    margin-top: 0.625rem;
    font-size: 0.875rem;
  }
`;
