/**
 * The Microsoft Entra ID connector as its tests build it (bff/connectors/microsoft*.test.ts):
 * against the loopback stand-in for Microsoft Graph (microsoft-server.ts), with a tenant, its
 * app's credentials and numbered people.
 */
import { createMicrosoftConnector } from '../../bff/connectors/microsoft.js';
import type { OptionalField } from '../../bff/connectors/minimize.js';
import { setupConnector } from '../connector-kit.js';
import { startMicrosoftFake, type MicrosoftFakeOptions } from './microsoft-server.js';

export const TENANT = 'contoso.onmicrosoft.com';
export const CREDENTIALS = { tenantId: TENANT, clientId: '11111111-2222-3333-4444-555555555555', clientSecret: 'secret~value' };

/** Person n as Graph lists a user. */
export const person = (n: number): Record<string, unknown> => ({
  id: `user-${n}`,
  givenName: `First${n}`,
  surname: `Last${n}`,
  displayName: `First${n} Last${n}`,
  mail: `user${n}@contoso.com`,
  accountEnabled: true,
});

/** A connector against a fresh stand-in; close it with the test file's `afterEach(closeFakes)`. */
export const setupMicrosoft = (overrides: Partial<MicrosoftFakeOptions> = {}, credentials: Partial<typeof CREDENTIALS> = {}, omit?: OptionalField[]) =>
  setupConnector(
    startMicrosoftFake,
    createMicrosoftConnector,
    { users: [], tenantId: TENANT, clientId: CREDENTIALS.clientId, clientSecret: CREDENTIALS.clientSecret, ...overrides },
    { ...CREDENTIALS, ...credentials },
    (url) => url,
    omit,
  );
