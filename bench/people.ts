/** What the benchmarks share: a generated directory, the secret their sessions are signed with, and the app they measure. */
import { createApp } from '../bff/app.js';
import type { Db } from '../bff/db/connect.js';
import type { AppConfig } from '../bff/deps.js';
import type { Connector, DirectoryContact } from '../bff/connectors/types.js';
import { createProviderRegistry, staticProvider } from '../bff/providers/registry.js';
import { silentLogger } from '../bff/logger.js';
import { upsertTarget } from '../bff/services/targets.js';
import { refreshDirectory } from '../bff/services/directory/refresh.js';
import { mintSessionToken } from '../bff/auth/session-token.js';

export const BENCH_SECRET = 'bench-secret-0123456789-0123456789-0123';

export function benchPeople(n: number): DirectoryContact[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `p${i}`,
    firstName: `First${i}`,
    lastName: `Last${i}`,
    displayName: `First${i} Last${i}`,
    email: `person${i}@bench.example`,
    personalEmail: null,
    title: 'Engineer',
    department: `Dept ${i % 20}`,
    location: `City ${i % 10}`,
    employmentType: null,
    managerId: null,
    status: 'active',
    avatarUrl: null,
  }));
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * The BFF every benchmark measures: createApp over an already migrated `db`, a target with room
 * for every import, and `contacts` already in the directory cache as provider `bench`, so a
 * benchmark times the routes, not the first fetch. Returns the app and a session on the target.
 */
export async function benchApp(
  db: Db,
  contacts: DirectoryContact[],
  options: { providerName?: string; seatLimit?: number; rateLimits?: AppConfig['rateLimits']; seeded?: boolean; admins?: number } = {},
): Promise<{ app: ReturnType<typeof createApp>; token: string; tokens: string[] }> {
  const now = new Date();
  const target = { type: 'organization', id: 'big' } as const;
  // `admins`: as many more labs of the same organization, each with its own admin's session, for
  // imports that do not all queue on one target's lock (bench/load.ts).
  const labs = Array.from({ length: options.admins ?? 0 }, (_, i) => ({ type: 'lab', id: `big-lab-${i}` }) as const);
  const directory: Connector = { listContacts: async () => ({ contacts, nextCursor: null, total: contacts.length }) };
  const provider = staticProvider('bench', 'bench', options.providerName ?? 'Bench', () => directory, { baseUrl: 'builtin:', credentials: {} });
  // `seeded`: another process already wrote the target and the directory (bench/replicas.ts).
  if (!options.seeded) {
    await upsertTarget(db.kysely, target, { name: 'Big', seatLimit: options.seatLimit ?? 1_000_000 }, now);
    for (const lab of labs) await upsertTarget(db.kysely, lab, { name: lab.id, seatLimit: options.seatLimit ?? 1_000_000, organizationId: 'big' }, now);
    await refreshDirectory(db.kysely, { cacheKey: 'bench:*', connector: () => provider.connector }, () => now);
  }
  const app = createApp({
    db,
    config: {
      apiKeys: ['bench-api-key-0123456789'],
      secret: BENCH_SECRET,
      sessionTtlSeconds: 3600,
      inviteTtlDays: 7,
      acceptUrl: 'http://localhost/accept',
      origins: [],
      rateLimits: options.rateLimits,
    },
    providers: createProviderRegistry([provider]),
    logger: silentLogger,
  });
  const admin = (i: number) => ({ id: `u${i}`, name: `U${i}`, email: `u${i}@example.com` });
  const { token } = await mintSessionToken(BENCH_SECRET, { id: 'u', name: 'U', email: 'u@example.com' }, target, 3600, now);
  const tokens = await Promise.all(labs.map(async (lab, i) => (await mintSessionToken(BENCH_SECRET, admin(i), lab, 3600, now)).token));
  return { app, token, tokens };
}

const FIRST = [
  'Robert',
  'Albert',
  'Ada',
  'Adam',
  'Amanda',
  'Herman',
  'Manuel',
  'Emma',
  'Olivia',
  'Noah',
  'Liam',
  'Sofia',
  'Lucas',
  'Mia',
  'Yuki',
  'José',
  'Zoë',
  'Chen',
  'Priya',
  'Kwame',
  'Ines',
  'Lars',
  'Fatima',
];
const LAST = [
  'Weber',
  'Berg',
  'Hoffmann',
  'Neumann',
  'Chapman',
  'Adams',
  'Smith',
  'Garcia',
  'Müller',
  'Kim',
  'Nguyen',
  'Rossi',
  'Dubois',
  'Silva',
  'Kowalski',
  'Okafor',
  'Tanaka',
  'Jensen',
  'Novak',
  'Ortiz',
];
const DEPARTMENTS = ['Engineering', 'Sales', 'Marketing', 'Finance', 'Legal', 'Support', 'Operations', 'People', 'Design', 'Research'];
const TITLES = ['Engineer', 'Manager', 'Analyst', 'Designer', 'Director', 'Specialist', 'Consultant', 'Coordinator'];
const LOCATIONS = ['Berlin', 'Canada', 'Lisbon', 'Tokyo', 'New York', 'Madrid', 'Paris', 'Nairobi', 'Sydney', 'São Paulo', 'Denver', 'Osaka'];

/**
 * A directory that reads like a company's: names, titles, departments and cities drawn from short
 * lists, so the fragments admins type ("ber", "man", "eng", "ada", "an") match 10–40% of it,
 * unlike `benchPeople` where every name is unique. Deterministic (a fixed seed), so runs compare.
 */
export function companyPeople(n: number): DirectoryContact[] {
  let seed = 42;
  const pick = <T>(xs: readonly T[]): T => {
    // mulberry32: the low bits of a plain LCG repeat with a short period and tie the columns together.
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return xs[((t ^ (t >>> 14)) >>> 0) % xs.length]!;
  };
  return Array.from({ length: n }, (_, i) => {
    const first = pick(FIRST);
    const last = pick(LAST);
    const ascii = `${first}.${last}`.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
    return {
      id: `p${i}`,
      firstName: first,
      lastName: last,
      displayName: `${first} ${last}`,
      email: i % 50 === 0 ? null : `${ascii}${i}@corp.example`,
      personalEmail: null,
      title: pick(TITLES),
      department: pick(DEPARTMENTS),
      location: pick(LOCATIONS),
      employmentType: null,
      managerId: null,
      status: i % 20 === 0 ? 'inactive' : 'active',
      avatarUrl: null,
    };
  });
}
