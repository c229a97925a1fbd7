/**
 * The BambooHR connector as its tests build it (bff/connectors/bamboohr*.test.ts): four employees
 * of a company, and a connector against the loopback stand-in (bamboohr-server.ts), on a fake
 * base URL or on BambooHR's documented one.
 */
import { createBambooHRConnector, BAMBOOHR_BASE_URL } from '../../bff/connectors/bamboohr.js';
import type { OptionalField } from '../../bff/connectors/minimize.js';
import { recordingSleep, setupConnector, track } from '../connector-kit.js';
import { DIRECTORY_WITH_EMAIL, startBambooHRServer, type BambooOptions } from './bamboohr-server.js';

export const ADA = {
  id: '1',
  firstName: 'Ada',
  lastName: 'Lovelace',
  preferredName: '',
  displayName: 'Ada Lovelace',
  workEmail: 'ada@acme.test',
  homeEmail: 'ada@home.test',
  jobTitle: 'CTO',
  department: 'Engineering',
  location: 'London',
  supervisorEId: '',
  status: 'Active',
  employmentHistoryStatus: 'Full-Time',
  photoUploaded: true,
  photoUrl: 'https://images.bamboohr.test/1.jpg',
  workPhone: '',
} as const;
export const GRACE = {
  id: '2',
  firstName: 'Grace',
  lastName: 'Hopper',
  preferredName: 'Amazing',
  displayName: 'Amazing Hopper',
  workEmail: 'grace@acme.test',
  homeEmail: '',
  jobTitle: 'Engineer',
  department: 'Engineering',
  location: 'New York',
  supervisorEId: '1',
  status: 'Active',
  employmentHistoryStatus: 'Full-Time',
  photoUploaded: false,
  photoUrl: 'https://images.bamboohr.test/placeholder.png',
} as const;
export const ALAN = {
  id: '3',
  firstName: 'Alan',
  lastName: 'Turing',
  displayName: 'Alan Turing',
  workEmail: 'alan@acme.test',
  jobTitle: 'Researcher',
  department: 'Research',
  location: 'Manchester',
  supervisorEId: '1',
  status: 'Inactive',
  employmentHistoryStatus: 'Terminated',
} as const;
export const KATE = {
  id: '4',
  firstName: 'Katherine',
  lastName: 'Johnson',
  displayName: 'Katherine Johnson',
  workEmail: 'kate@acme.test',
  status: 'Active',
  employmentHistoryStatus: 'Terminated',
  inDirectory: false,
} as const;

// A company that shares the work email in its directory; BambooHR's own sample directory does not.
export const setupBambooHR = (
  options: Partial<BambooOptions> = {},
  credentials: Record<string, string> = { companyDomain: 'acme', apiKey: 'bamboo-key' },
  omit?: OptionalField[],
) =>
  setupConnector(
    startBambooHRServer,
    createBambooHRConnector,
    { employees: [ADA, GRACE, ALAN, KATE], directoryFields: DIRECTORY_WITH_EMAIL, ...options },
    credentials,
    undefined,
    omit,
  );

/**
 * A connector on BambooHR's documented base URL, its calls to `https://{company}.bamboohr.com`
 * carried to the fake with the host they asked for (a loopback server has no such name).
 */
export async function onCompanyHost(options: Partial<BambooOptions>, companyDomain: string) {
  const fake = track(await startBambooHRServer({ employees: [ADA, GRACE, ALAN, KATE], ...options }));
  const asked: string[] = [];
  const viaHost: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    asked.push(url.href);
    const headers = new Headers(init?.headers);
    headers.set('X-Forwarded-Host', url.host);
    return fetch(new URL(`${url.pathname}${url.search}`, fake.url), { ...init, headers });
  };
  const connector = createBambooHRConnector(
    { baseUrl: BAMBOOHR_BASE_URL, credentials: { companyDomain, apiKey: 'bamboo-key' }, fetch: viaHost },
    { sleep: recordingSleep().sleep },
  );
  return { fake, asked, connector };
}
