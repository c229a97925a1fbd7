/**
 * The Mocha globals web-test-runner provides in the browser. @types/mocha is not installed
 * (and widget/tsconfig.test.json lists no types), so the few the widget tests use are declared here.
 */
type MochaDone = (error?: unknown) => void;
type MochaFn = (this: unknown, done: MochaDone) => void | Promise<unknown>;

declare global {
  function describe(title: string, fn: () => void): void;
  function it(title: string, fn: MochaFn | (() => void | Promise<unknown>)): void;
  function before(fn: () => void | Promise<unknown>): void;
  function after(fn: () => void | Promise<unknown>): void;
  function beforeEach(fn: () => void | Promise<unknown>): void;
  function afterEach(fn: () => void | Promise<unknown>): void;
}

export {};
