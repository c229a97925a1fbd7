/** The contract's barrel, kept so `../contract.js` imports stay short; the schemas live in contract/. */
export * from './contract/index.js';
