/**
 * The providers of the widget's end-to-end tests (test/e2e/providers.test.ts): the people each
 * loopback stand-in serves in its own wire format, each provider's providers-file entry and
 * connect form, the environment its secrets come from, and the faults the stand-ins can be told
 * to answer.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { Failure, Loopback } from '../fakes/loopback.js';
import { startBambooHRServer } from '../fakes/bamboohr-server.js';
import { item, startHiBobServer } from '../fakes/hibob-server.js';
import { startPersonioServer } from '../fakes/personio-server.js';
import { startWorkdayServer } from '../fakes/workday-server.js';
import { startGoogleFake } from '../fakes/google-server.js';
import { startMicrosoftFake } from '../fakes/microsoft-server.js';
import { startSalesforceFake } from '../fakes/salesforce-server.js';
import { startMergeFake, type MergeFakeOptions } from '../fakes/merge-server.js';
import { startUnifiedFake, type UnifiedFakeOptions } from '../fakes/unified-server.js';

/** Everyone each stand-in serves, in its own wire format; Alan has left the company. */
export const PEOPLE = [
  { n: 1, first: 'Ada', last: 'Lovelace', title: 'CTO', department: 'Engineering', active: true },
  { n: 2, first: 'Grace', last: 'Hopper', title: 'Engineer', department: 'Engineering', active: true },
  { n: 3, first: 'Katherine', last: 'Johnson', title: 'Analyst', department: 'Research', active: true },
  { n: 4, first: 'Alan', last: 'Turing', title: 'Researcher', department: 'Research', active: false },
];
export type Person = (typeof PEOPLE)[number];
export const fullName = (p: Person) => `${p.first} ${p.last}`;
/** Each provider's people have their own domain, so invites from one never mark another's. */
export const emailOf = (p: Person, provider: string) => `${p.first.toLowerCase()}@${provider}.example`;

export const GOOGLE_ADMIN = 'admin@google.example';
export const GOOGLE_CLIENT = 'hr-import@acme-project.iam.gserviceaccount.com';
export const googleKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const MS_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const WORKDAY_REPORT = 'ISU_hr_import/HR_Import_Contacts';

// Live switches the fault tests flip: the stand-ins read these objects on every request.
export const microsoftFailures: Failure[] = [];
export const googleFailures: Failure[] = [];
export const mergeOptions: MergeFakeOptions = {
  employees: [],
  apiKey: 'merge-production-key',
  accountToken: 'acme-linked-account',
  failures: [],
  retryAfterSeconds: 1,
};
export const unifiedOptions: UnifiedFakeOptions = { employees: [], apiKey: 'unified-workspace-key', connectionId: '65f1c0ffee0123456789abcd' };

export interface ProviderCase {
  id: string;
  /** Its name in the picker. */
  name: string;
  start(): Promise<Loopback>;
  /** The providers-file entry, given the stand-in's URL. */
  entry(url: string): Record<string, unknown>;
  /** What the organization's admin types into the connect form, by field label; none when the file sets everything. */
  connect?: Record<string, string>;
}

export const CASES: ProviderCase[] = [
  {
    id: 'bamboohr',
    name: 'BambooHR',
    // The directory is not shared, so the custom report is read: everyone, with their status.
    start: () =>
      startBambooHRServer({
        apiKey: 'bamboo-key',
        directory: 'disabled',
        employees: PEOPLE.map((p) => ({
          id: String(p.n),
          firstName: p.first,
          lastName: p.last,
          displayName: fullName(p),
          workEmail: emailOf(p, 'bamboohr'),
          jobTitle: p.title,
          department: p.department,
          status: p.active ? 'Active' : 'Inactive',
        })),
      }),
    entry: (url) => ({ id: 'bamboohr', type: 'bamboohr', baseUrl: url }),
    connect: { 'Company domain': 'acme', 'API key': 'bamboo-key' },
  },
  {
    id: 'hibob',
    name: 'HiBob',
    start: () =>
      startHiBobServer({
        people: PEOPLE.map((p) => ({
          'root.id': `33328838840177132${p.n}`,
          'root.firstName': p.first,
          'root.surname': p.last,
          'root.displayName': fullName(p),
          'root.email': emailOf(p, 'hibob'),
          'work.title': item(`1${p.n}`, p.title),
          'work.department': item(p.department === 'Engineering' ? '209192163' : '209192164', p.department),
          'internal.lifecycleStatus': p.active ? 'employed' : 'terminated',
          'internal.status': p.active ? 'Active' : 'Inactive',
        })),
      }),
    entry: (url) => ({ id: 'hibob', type: 'hibob', baseUrl: url }),
    connect: { 'Service user ID': 'SERVICE-123', Token: 'bob-token' },
  },
  {
    id: 'personio',
    name: 'Personio',
    start: () =>
      startPersonioServer({
        employees: PEOPLE.map((p) => ({
          id: p.n,
          first_name: p.first,
          last_name: p.last,
          email: emailOf(p, 'personio'),
          position: p.title,
          department: p.department,
          status: p.active ? 'active' : 'inactive',
        })),
      }),
    entry: (url) => ({ id: 'personio', type: 'personio', baseUrl: url }),
    connect: { 'Client ID': 'personio-client', 'Client secret': 'personio-secret' },
  },
  {
    id: 'workday',
    name: 'Workday',
    start: () =>
      startWorkdayServer({
        reports: {
          [WORKDAY_REPORT]: PEOPLE.map((p) => ({
            Employee_ID: String(21000 + p.n),
            Worker: fullName(p),
            First_Name: p.first,
            Last_Name: p.last,
            Work_Email: emailOf(p, 'workday'),
            Business_Title: p.title,
            Supervisory_Organization: p.department,
            Active_Status: p.active ? '1' : '0',
          })),
        },
      }),
    entry: (url) => ({
      id: 'workday',
      type: 'workday',
      baseUrl: url,
      credentials: {
        tenant: 'acme_impl',
        clientId: 'wd-client',
        clientSecret: { env: 'WORKDAY_CLIENT_SECRET' },
        refreshToken: { env: 'WORKDAY_REFRESH_TOKEN' },
        report: WORKDAY_REPORT,
      },
    }),
  },
  {
    id: 'google',
    name: 'Google Workspace',
    start: () =>
      startGoogleFake({
        publicKey: googleKeys.publicKey,
        clientEmail: GOOGLE_CLIENT,
        delegatedSubjects: [GOOGLE_ADMIN],
        failures: googleFailures,
        users: PEOPLE.map((p) => ({
          id: `11500000000000000000${p.n}`,
          primaryEmail: emailOf(p, 'google'),
          name: { givenName: p.first, familyName: p.last, fullName: fullName(p) },
          suspended: !p.active,
          organizations: [{ title: p.title, department: p.department, primary: true }],
        })),
      }),
    entry: (url) => ({
      id: 'google',
      type: 'google',
      baseUrl: url,
      tokenUrl: url,
      credentials: { serviceAccountKey: { env: 'GOOGLE_SERVICE_ACCOUNT_KEY' }, subject: GOOGLE_ADMIN },
    }),
  },
  {
    id: 'microsoft',
    name: 'Microsoft Entra ID',
    start: () =>
      startMicrosoftFake({
        tenantId: MS_TENANT,
        clientId: 'entra-app-id',
        clientSecret: 'entra-secret',
        failures: microsoftFailures,
        users: PEOPLE.map((p) => ({
          id: `user-${p.n}`,
          givenName: p.first,
          surname: p.last,
          displayName: fullName(p),
          mail: emailOf(p, 'microsoft'),
          jobTitle: p.title,
          department: p.department,
          accountEnabled: p.active,
        })),
      }),
    entry: (url) => ({
      id: 'microsoft',
      type: 'microsoft',
      baseUrl: url,
      tokenUrl: url,
      credentials: { tenantId: MS_TENANT, clientId: 'entra-app-id', clientSecret: { env: 'MS_CLIENT_SECRET' } },
    }),
  },
  {
    id: 'salesforce',
    name: 'Salesforce',
    start: () =>
      startSalesforceFake({
        clientId: '3MVG9fakeConsumerKey',
        clientSecret: 'salesforce-secret',
        contacts: [],
        users: PEOPLE.map((p) => ({
          Id: `005xx00000000${p.n}AAA`,
          FirstName: p.first,
          LastName: p.last,
          Name: fullName(p),
          Email: emailOf(p, 'salesforce'),
          Title: p.title,
          Department: p.department,
          IsActive: p.active,
          UserType: 'Standard',
        })),
      }),
    entry: (url) => ({
      id: 'salesforce',
      type: 'salesforce',
      baseUrl: url,
      credentials: { clientId: '3MVG9fakeConsumerKey', clientSecret: { env: 'SALESFORCE_CLIENT_SECRET' } },
    }),
  },
  {
    id: 'merge',
    name: 'Merge HRIS',
    start: () => {
      mergeOptions.employees = PEOPLE.map((p) => ({
        id: `0958cbc6-6040-430a-848e-aafacbad000${p.n}`,
        first_name: p.first,
        last_name: p.last,
        display_full_name: fullName(p),
        work_email: emailOf(p, 'merge'),
        employment_status: p.active ? 'ACTIVE' : 'INACTIVE',
      }));
      return startMergeFake(mergeOptions);
    },
    // The deployment's Merge key in the file; each customer's linked account token in the widget.
    entry: (url) => ({ id: 'merge', type: 'merge', baseUrl: url, credentials: { apiKey: { env: 'MERGE_API_KEY' } } }),
    connect: { 'Account token': 'acme-linked-account' },
  },
  {
    id: 'unified',
    name: 'Unified.to HRIS',
    start: () => {
      unifiedOptions.employees = PEOPLE.map((p) => ({
        id: `emp_${p.n}`,
        name: fullName(p),
        first_name: p.first,
        last_name: p.last,
        emails: [{ email: emailOf(p, 'unified'), type: 'WORK' }],
        title: p.title,
        employment_status: p.active ? 'ACTIVE' : 'INACTIVE',
      }));
      return startUnifiedFake(unifiedOptions);
    },
    entry: (url) => ({ id: 'unified', type: 'unified', baseUrl: url }),
    connect: { 'API key': 'unified-workspace-key', 'Connection ID': '65f1c0ffee0123456789abcd' },
  },
];

export const ENV = {
  WORKDAY_CLIENT_SECRET: 'wd-secret',
  WORKDAY_REFRESH_TOKEN: 'wd-refresh',
  GOOGLE_SERVICE_ACCOUNT_KEY: JSON.stringify({
    type: 'service_account',
    client_email: GOOGLE_CLIENT,
    private_key_id: 'key-1',
    private_key: googleKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }),
  }),
  MS_CLIENT_SECRET: 'entra-secret',
  SALESFORCE_CLIENT_SECRET: 'salesforce-secret',
  MERGE_API_KEY: 'merge-production-key',
};

export const TARGET = { type: 'organization', id: 'acme' } as const;
