import { css } from 'lit';

export const seatMeterStyles = css`
  .meter {
    display: grid;
    gap: 0.375rem;
  }
  .text {
    margin: 0;
    font-size: 0.875rem;
    color: var(--_hr-muted);
  }
  .text strong {
    color: var(--_hr-text);
  }
  .bar {
    position: relative;
    height: 0.375rem;
    overflow: hidden;
    border-radius: 999px;
    background: var(--hr-seat-meter-track, var(--_hr-dark-seat-meter-track, #e4e8ec));
  }
  .used,
  .selected {
    position: absolute;
    inset-block: 0;
    left: 0;
  }
  .used {
    width: var(--_hr-used, 0%);
    background: var(--hr-seat-meter-used, var(--_hr-dark-seat-meter-used, #57606a));
  }
  .selected {
    left: var(--_hr-used, 0%);
    width: var(--_hr-selected, 0%);
    background: var(--_hr-accent);
  }
`;
