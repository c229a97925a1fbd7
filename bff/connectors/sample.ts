/**
 * The built-in sample directory: a few hundred deterministic employees of a fictional company,
 * so the demo and the tests work offline. It pages like a real provider (100 a page) and holds
 * the messy cases real directories have: terminated people, people without an email, emails in
 * odd case, a duplicate email, long, accented and right-to-left names.
 */
import type { Connector, DirectoryContact, ConnectorFactory } from './types.js';

export const SAMPLE_DOMAIN = 'example.com';
export const SAMPLE_SIZE = 320;
const PAGE_SIZE = 100;

const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Katherine',
  'Linus',
  'Margaret',
  'Tim',
  'Barbara',
  'Dennis',
  'Frances',
  'Ken',
  'Radia',
  'Edsger',
  'Hedy',
  'Donald',
  'Sophie',
  'José',
  'Zoë',
  'Chidi',
  'Mei',
  'Aarav',
  'Ingrid',
  'Søren',
  'Amara',
  'Yuki',
  'Olusegun',
  'Łucja',
  'Mateo',
  'Priya',
  'Noa',
];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Johnson',
  'Torvalds',
  'Hamilton',
  'Berners-Lee',
  'Liskov',
  'Ritchie',
  'Allen',
  'Thompson',
  'Perlman',
  'Dijkstra',
  'Lamarr',
  'Knuth',
  'Wilson',
  'García',
  'Müller',
  'Okafor',
  'Chen',
  'Sharma',
  'Andersen',
  'Kierkegaard',
  'Nwosu',
  'Tanaka',
  'Adeyemi',
  'Wiśniewska',
  'Rossi',
  'Iyer',
  'Levi',
];
const DEPARTMENTS: Record<string, string[]> = {
  Engineering: ['Software Engineer', 'Senior Software Engineer', 'Staff Engineer', 'Engineering Manager', 'Site Reliability Engineer'],
  Research: ['Research Scientist', 'Data Scientist', 'Research Engineer', 'Lab Technician'],
  Sales: ['Account Executive', 'Sales Engineer', 'Sales Manager'],
  Marketing: ['Product Marketing Manager', 'Content Strategist', 'Designer'],
  Finance: ['Accountant', 'Financial Analyst', 'Controller'],
  People: ['HR Business Partner', 'Recruiter', 'People Operations Specialist'],
  Operations: ['Operations Manager', 'Office Manager', 'IT Support Specialist'],
  Support: ['Customer Support Specialist', 'Support Team Lead'],
};
const LOCATIONS = ['Berlin', 'London', 'New York', 'São Paulo', 'Tokyo', 'Lagos', 'Toronto', 'Remote'];

/** Small deterministic PRNG (mulberry32): the same directory on every machine and run. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ascii = (s: string) =>
  s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/ł/g, 'l')
    .replace(/Ł/g, 'L')
    .replace(/ø/g, 'o')
    .replace(/[^A-Za-z-]/g, '');

/** A sample employee's work email (names folded to ASCII). */
export function sampleEmail(first: string, last: string): string {
  return `${ascii(first)}.${ascii(last)}@${SAMPLE_DOMAIN}`.toLowerCase();
}

let cached: DirectoryContact[] | null = null;

export function sampleDirectory(): DirectoryContact[] {
  if (cached) return cached;
  const rand = prng(20261124);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const departments = Object.keys(DEPARTMENTS);
  const people: DirectoryContact[] = [];
  const used = new Set<string>();
  for (let i = 0; people.length < SAMPLE_SIZE; i++) {
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[(i * 7 + Math.floor(i / FIRST.length)) % LAST.length]!;
    if (used.has(first + last)) continue;
    used.add(first + last);
    const n = people.length + 1;
    const department = pick(departments);
    const id = `emp-${String(n).padStart(4, '0')}`;
    const email = sampleEmail(first, last);
    people.push({
      id,
      firstName: first,
      lastName: last,
      displayName: `${first} ${last}`,
      // Every 37th person has no work email; every 23rd is stored in odd case, as HR systems do.
      email: n % 37 === 0 ? null : n % 23 === 0 ? email.replace(/^./, (c) => c.toUpperCase()).replace('@example.com', '@Example.COM') : email,
      personalEmail: n % 5 === 0 ? `${ascii(first).toLowerCase()}${n}@mail.example.org` : null,
      title: pick(DEPARTMENTS[department]!),
      department,
      location: pick(LOCATIONS),
      // From n, not the random sequence, so every other field stays as the tests know it.
      employmentType: n % 11 === 0 ? 'Contractor' : n % 9 === 0 ? 'Part-time' : 'Full-time',
      managerId: n <= 8 ? null : `emp-${String(1 + Math.floor(rand() * 8)).padStart(4, '0')}`,
      // About one in fifteen has left the company.
      status: n % 15 === 0 ? 'inactive' : 'active',
      avatarUrl: null,
    });
  }
  // The edge cases a first-rate widget must render: a very long name, right-to-left names, and
  // an email given twice in one directory.
  Object.assign(people[10]!, {
    firstName: 'Maria-Magdalena Alexandra',
    lastName: 'von Hohenzollern-Sigmaringen de la Cruz',
    displayName: 'Maria-Magdalena Alexandra von Hohenzollern-Sigmaringen de la Cruz',
  });
  Object.assign(people[11]!, { firstName: 'ليلى', lastName: 'حداد', displayName: 'ليلى حداد', email: 'layla.haddad@example.com' });
  Object.assign(people[12]!, { firstName: 'נועה', lastName: 'כהן', displayName: 'נועה כהן', email: 'noa.cohen@example.com' });
  Object.assign(people[13]!, { email: people[14]!.email?.toUpperCase() ?? null });
  cached = people;
  return people;
}

export const createSampleConnector: ConnectorFactory = (): Connector => ({
  async listContacts({ cursor, signal }) {
    signal.throwIfAborted();
    const all = sampleDirectory();
    const offset = cursor ? Number.parseInt(cursor, 10) : 0;
    const page = all.slice(offset, offset + PAGE_SIZE);
    const next = offset + PAGE_SIZE;
    return { contacts: page, nextCursor: next < all.length ? String(next) : null, total: all.length };
  },
});
