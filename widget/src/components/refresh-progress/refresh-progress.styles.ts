import { css } from 'lit';

export const refreshProgressStyles = css`
  :host {
    display: block;
  }
  .progress {
    display: grid;
    gap: 0.375rem;
    margin-block-end: 0.75rem;
  }
  .text {
    margin: 0;
    font-size: 0.875rem;
    color: var(--_hr-muted);
  }
  .bar {
    position: relative;
    height: 0.375rem;
    overflow: hidden;
    border-radius: 999px;
    background: var(--hr-refresh-track, var(--_hr-border));
  }
  .fill {
    position: absolute;
    inset-block: 0;
    left: 0;
    background: var(--_hr-accent);
    transition: width 0.2s ease-out;
  }
  /* No total from the provider: a moving band says "working" without claiming how far. */
  .bar.indeterminate .fill {
    width: 30%;
    animation: hr-refresh-sweep 1.2s ease-in-out infinite;
  }
  @keyframes hr-refresh-sweep {
    from {
      left: -30%;
    }
    to {
      left: 100%;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .bar.indeterminate .fill {
      animation: none;
      width: 100%;
      opacity: 0.4;
    }
  }
  .ready {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    margin-block-end: 0.75rem;
    font-size: 0.875rem;
    color: var(--_hr-muted);
  }
  .ready p {
    margin: 0;
  }
`;
