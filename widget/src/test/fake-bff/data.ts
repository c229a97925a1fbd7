/**
 * The people, rules, runs, updates and invites the fake BFF serves, built the same way in every
 * test so that a test names only what it changes.
 */
import type { Contact, InviteSummary, RefreshStatus, Role, SyncRule, SyncRun, SyncUpdate } from '../../api/types.js';

const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Edsger',
  'Barbara',
  'Donald',
  'Margaret',
  'Linus',
  'Frances',
  'Ken',
  'Radia',
  'Dennis',
  'Hedy',
  'Tim',
  'Katherine',
  'John',
  'Annie',
  'Niklaus',
  'Sophie',
  'Bjarne',
  'Shafi',
  'Guido',
  'Jean',
  'Brian',
  'Mary',
  'Vint',
  'Karen',
  'Leslie',
  'Evelyn',
  'Robin',
];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Hamilton',
  'Torvalds',
  'Allen',
  'Thompson',
  'Perlman',
  'Ritchie',
  'Lamarr',
  'Berners-Lee',
  'Johnson',
  'McCarthy',
  'Easley',
  'Wirth',
  'Wilson',
  'Stroustrup',
  'Goldwasser',
  'van Rossum',
  'Bartik',
  'Kernighan',
  'Keller',
  'Cerf',
  'Spärck Jones',
  'Lamport',
  'Boyd',
  'Milner',
];
export const DEPARTMENTS = ['Engineering', 'Sales', 'Support'];
export const LOCATIONS = ['London', 'Berlin'];

export function makeContact(i: number, overrides: Partial<Contact> = {}): Contact {
  const firstName = FIRST[i % FIRST.length]!;
  const lastName = LAST[i % LAST.length]! + (i >= LAST.length ? ` ${Math.floor(i / LAST.length) + 1}` : '');
  const id = `c${String(i + 1).padStart(3, '0')}`;
  return {
    id,
    firstName,
    lastName,
    displayName: `${firstName} ${lastName}`,
    email: `${firstName.toLowerCase()}.${id}@example.com`,
    personalEmail: null,
    title: i % 2 ? 'Engineer' : 'Manager',
    department: DEPARTMENTS[i % DEPARTMENTS.length]!,
    location: LOCATIONS[i % LOCATIONS.length]!,
    employmentType: null,
    managerId: null,
    status: 'active',
    avatarUrl: null,
    membership: null,
    sharedEmail: false,
    ...overrides,
  };
}

/**
 * 30 people: Grace Hopper (c002) is a member, Alan Turing (c003) is invited, Edsger Dijkstra
 * (c004) has no email and Barbara Liskov (c005) has left (inactive). 26 active selectable.
 */
export function directory(size = 30): Contact[] {
  return Array.from({ length: size }, (_, i) => {
    if (i === 1) return makeContact(i, { membership: 'member' });
    if (i === 2) return makeContact(i, { membership: 'invited' });
    if (i === 3) return makeContact(i, { email: null });
    if (i === 4) return makeContact(i, { status: 'inactive' });
    return makeContact(i);
  });
}

/** A directory computed row by row, for lists of 100,000: nothing is stored but its size. */
export interface GeneratedDirectory {
  readonly size: number;
  /** The contact at a position in the directory's name order. */
  at(index: number): Contact;
}

/**
 * `size` people in a fixed order: every 50th from the second is a member, every 50th from the
 * third is invited, every 97th has no email; the rest can be invited. Contact `i` has the id
 * `c<i+1>` and a name unique to it.
 */
export function generatedDirectory(size: number): GeneratedDirectory {
  return {
    size,
    at(i) {
      const membership = i % 50 === 1 ? 'member' : i % 50 === 2 ? 'invited' : null;
      return makeContact(i, { membership, ...(i % 97 === 3 ? { email: null } : {}) });
    },
  };
}

export const ROLES: Role[] = [
  { id: 'member', label: 'User' },
  { id: 'admin', label: 'Admin' },
  { id: 'viewer', label: 'Viewer' },
];

/** A saved rule over the whole directory, joiners and leavers waiting for the admin; `overrides` change any of it. */
export function makeRule(n: number, overrides: Partial<SyncRule> = {}): SyncRule {
  return {
    id: `rule_${String(n).padStart(10, '0')}`,
    target: { type: 'organization', id: 'org-1' },
    provider: 'sample',
    scope: { filters: { department: 'Engineering' } },
    reportsToName: null,
    roleRules: [],
    defaultRole: 'member',
    message: { subject: 'Join {{targetName}}', body: 'Hi {{firstName}}, welcome.' },
    joiners: 'review',
    leavers: 'review',
    intervalHours: 24,
    leaverThresholdPercent: 20,
    paused: false,
    createdBy: { id: 'u1', name: 'Iris Inviter' },
    createdAt: '2026-11-30T08:00:00.000Z',
    updatedAt: '2026-11-30T08:00:00.000Z',
    nextRunAt: '2026-12-02T08:00:00.000Z',
    lastRun: null,
    ...overrides,
  };
}

export function makeRun(n: number, ruleId: string, overrides: Partial<SyncRun> = {}): SyncRun {
  return {
    id: `run_${String(n).padStart(10, '0')}`,
    ruleId,
    trigger: 'schedule',
    status: 'completed',
    startedAt: '2026-12-01T08:00:00.000Z',
    finishedAt: '2026-12-01T08:00:05.000Z',
    matched: 10,
    invited: 0,
    joiners: 2,
    leavers: 1,
    roleChanges: 1,
    revoked: 0,
    skipped: [],
    skippedCount: 0,
    error: null,
    ...overrides,
  };
}

export function makeUpdate(n: number, kind: SyncUpdate['kind'], overrides: Partial<SyncUpdate> = {}): SyncUpdate {
  const c = makeContact(n);
  return {
    id: `upd_${String(n).padStart(10, '0')}`,
    ruleId: 'rule_0000000001',
    kind,
    contactId: c.id,
    email: c.email!,
    name: c.displayName,
    title: c.title,
    department: c.department,
    membership: kind === 'joiner' ? null : 'member',
    role: kind === 'leaver' ? null : kind === 'role_change' ? 'admin' : 'member',
    currentRole: kind === 'joiner' ? null : 'member',
    reason: kind === 'leaver' ? 'terminated' : null,
    status: 'open',
    detectedAt: '2026-12-01T08:00:05.000Z',
    ...overrides,
  };
}

export function makeInvite(n: number, overrides: Partial<InviteSummary> = {}): InviteSummary {
  const c = makeContact(n);
  return {
    id: `inv_${String(n).padStart(10, '0')}`,
    email: c.email!,
    name: c.displayName,
    role: 'member',
    status: 'expired',
    delivery: 'sent',
    deliveryError: null,
    expiresAt: '2026-11-20T08:00:00.000Z',
    createdAt: '2026-11-13T08:00:00.000Z',
    importId: null,
    ...overrides,
  };
}

export const refreshIdle = (): RefreshStatus => ({ status: 'idle', fetched: 0, total: null, syncedAt: null, stale: true });

/** A refresh under way: `fetched` so far of `total` (null when the provider does not tell). */
export const refreshSyncing = (fetched: number, total: number | null): RefreshStatus => ({ status: 'syncing', fetched, total, syncedAt: null, stale: true });
