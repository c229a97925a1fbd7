/**
 * Every kind of HR application the providers file may name: its connector, its real API host
 * (the default of `baseUrl`), and which credential fields are required, optional and secret.
 */
import type { ProviderCatalog } from './file.js';
import { BAMBOOHR_BASE_URL, BAMBOOHR_CREDENTIALS, createBambooHRConnector } from '../connectors/bamboohr.js';
import { HIBOB_BASE_URL, HIBOB_CREDENTIALS, createHiBobConnector } from '../connectors/hibob.js';
import { PERSONIO_BASE_URL, PERSONIO_CREDENTIALS, createPersonioConnector } from '../connectors/personio.js';
import { WORKDAY_CREDENTIALS, createWorkdayConnector } from '../connectors/workday.js';
import { GOOGLE_API_URL, GOOGLE_CREDENTIALS, GOOGLE_OAUTH, GOOGLE_TOKEN_URL, createGoogleConnector } from '../connectors/google.js';
import { MICROSOFT_CREDENTIALS, MICROSOFT_GRAPH_URL, MICROSOFT_LOGIN_URL, MICROSOFT_OAUTH, createMicrosoftConnector } from '../connectors/microsoft.js';
import { SALESFORCE_CREDENTIALS, SALESFORCE_OAUTH, createSalesforceConnector } from '../connectors/salesforce.js';
import { MERGE_API_URL, MERGE_CREDENTIALS, createMergeConnector } from '../connectors/merge.js';
import { UNIFIED_API_URL, UNIFIED_CREDENTIALS, createUnifiedConnector } from '../connectors/unified.js';
import { OKTA_CREDENTIALS, OKTA_SERVICE_APP_CREDENTIALS, OKTA_SERVICE_APP_OPTIONAL, createOktaConnector } from '../connectors/okta.js';
import { RIPPLING_API_URL, RIPPLING_CREDENTIALS, createRipplingConnector } from '../connectors/rippling.js';

export const PROVIDER_CATALOG: ProviderCatalog = {
  // Each BambooHR company has its own host: `{companyDomain}` is filled in from the credential.
  bamboohr: {
    name: 'BambooHR',
    factory: createBambooHRConnector,
    baseUrl: BAMBOOHR_BASE_URL,
    credentials: BAMBOOHR_CREDENTIALS,
    secrets: ['apiKey'],
  },
  hibob: { name: 'HiBob', factory: createHiBobConnector, baseUrl: HIBOB_BASE_URL, credentials: HIBOB_CREDENTIALS, secrets: ['token'] },
  personio: {
    name: 'Personio',
    factory: createPersonioConnector,
    baseUrl: PERSONIO_BASE_URL,
    credentials: PERSONIO_CREDENTIALS,
    secrets: ['clientSecret'],
  },
  // Every Workday customer has their own tenant host: there is no default to fall back to.
  workday: {
    name: 'Workday',
    factory: createWorkdayConnector,
    baseUrl: null,
    credentials: WORKDAY_CREDENTIALS,
    optional: ['report'],
    secrets: ['clientSecret', 'refreshToken'],
  },
  google: {
    name: 'Google Workspace',
    factory: createGoogleConnector,
    baseUrl: GOOGLE_API_URL,
    tokenUrl: GOOGLE_TOKEN_URL,
    credentials: GOOGLE_CREDENTIALS,
    optional: ['customer'],
    secrets: ['serviceAccountKey'],
    oauth: GOOGLE_OAUTH,
  },
  microsoft: {
    name: 'Microsoft Entra ID',
    factory: createMicrosoftConnector,
    baseUrl: MICROSOFT_GRAPH_URL,
    tokenUrl: MICROSOFT_LOGIN_URL,
    credentials: MICROSOFT_CREDENTIALS,
    secrets: ['clientSecret'],
    oauth: MICROSOFT_OAUTH,
  },
  // Salesforce is reached at the org's own My Domain host (https://acme.my.salesforce.com).
  salesforce: {
    name: 'Salesforce',
    factory: createSalesforceConnector,
    baseUrl: null,
    credentials: SALESFORCE_CREDENTIALS,
    optional: ['objects'],
    secrets: ['clientSecret'],
    oauth: SALESFORCE_OAUTH,
  },
  merge: {
    name: 'Merge HRIS',
    factory: createMergeConnector,
    baseUrl: MERGE_API_URL,
    credentials: MERGE_CREDENTIALS,
    secrets: ['apiKey', 'accountToken'],
  },
  unified: {
    name: 'Unified.to HRIS',
    factory: createUnifiedConnector,
    baseUrl: UNIFIED_API_URL,
    credentials: UNIFIED_CREDENTIALS,
    secrets: ['apiKey'],
  },
  // Every Okta customer has their own org URL (baseUrl). Two types for its two ways in: an API
  // token, or an API service app's client id and private key (OAuth client credentials).
  okta: { name: 'Okta', factory: createOktaConnector, baseUrl: null, credentials: OKTA_CREDENTIALS, secrets: ['apiToken'] },
  'okta-service-app': {
    name: 'Okta',
    factory: createOktaConnector,
    baseUrl: null,
    credentials: OKTA_SERVICE_APP_CREDENTIALS,
    optional: OKTA_SERVICE_APP_OPTIONAL,
    secrets: ['privateKey'],
  },
  rippling: {
    name: 'Rippling',
    factory: createRipplingConnector,
    baseUrl: RIPPLING_API_URL,
    credentials: RIPPLING_CREDENTIALS,
    secrets: ['apiToken'],
  },
};
