/**
 * An in-browser stand-in for the BFF: replaces `window.fetch`, answers the widget-facing routes
 * with contract-shaped JSON from an in-test directory, and records every request.
 *
 * One module per concern, as the BFF has one route module per resource: the people and other
 * records tests build (data.ts), what the fake holds (state.ts), requests and answers (http.ts),
 * the contacts listing with its search and facets (contacts.ts), the session, connections and
 * refresh (providers.ts), CSV uploads (uploads.ts), imports (imports.ts), Keep in sync (sync.ts),
 * invites (invites.ts), and the router that installs it all as `window.fetch` (app.ts).
 */
export { FakeBff } from './app.js';
export type { FakeBffOptions } from './state.js';
export { TOKEN, errorResponse, json, type RecordedRequest } from './http.js';
export {
  DEPARTMENTS,
  LOCATIONS,
  ROLES,
  directory,
  generatedDirectory,
  makeContact,
  makeInvite,
  makeRule,
  makeRun,
  makeUpdate,
  refreshIdle,
  refreshSyncing,
  type GeneratedDirectory,
} from './data.js';
