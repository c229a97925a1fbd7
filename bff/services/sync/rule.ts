/**
 * What a sync rule says (issue 17): its stored definition, the people its scope covers (the
 * flow's search and filters, and "reports to"), the role it gives each, and what running one needs.
 */
import type { KeyObject } from 'node:crypto';
import { expressionBuilder, sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { Database, SyncRuleRow } from '../../db/schema.js';
import type { InviteLocale, RoleRule, SyncScope } from '../../../contract/index.js';
import { JOINER_MODES, LEAVER_MODES } from '../../../contract/sync.js';
import type { AppConfig } from '../../deps.js';
import type { ProviderRegistry } from '../../providers/registry.js';
import type { Logger } from '../../logger.js';
import { dialectOf, type Dialect } from '../../db/connect.js';
import { contactMatches, type ContactQuery } from '../directory/queries.js';
import { foldForSearch } from '../../text.js';

type Q = Kysely<Database>;

/** What a rule says, as stored in its `definition`. */
export interface RuleDefinition {
  scope: SyncScope;
  roleRules: RoleRule[];
  defaultRole: string;
  message: { subject: string; body: string };
  /** Absent in rules saved before invite mail had languages. */
  locale?: InviteLocale | undefined;
  joiners: (typeof JOINER_MODES)[number];
  leavers: (typeof LEAVER_MODES)[number];
}

export const definitionOf = (rule: Pick<SyncRuleRow, 'definition'>): RuleDefinition => JSON.parse(rule.definition) as RuleDefinition;

/** "Reports to" goes this many levels down at most: an org chart deeper than that is a cycle. */
export const MAX_REPORTING_DEPTH = 50;

/**
 * The contact ids reporting to a manager, directly or (indirect) through others: a recursive CTE
 * over `manager_id`, as SQLite and PostgreSQL both write it. The depth bound also ends a cycle.
 */
function reportsTo(connection: string, reports: NonNullable<SyncScope['reportsTo']>): Expression<string> {
  const depth = reports.indirect ? MAX_REPORTING_DEPTH : 1;
  return sql<string>`(with recursive reports(contact_id, depth) as (
      select contact_id, 1 from directory_contacts where connection = ${connection} and manager_id = ${reports.contactId}
      union all
      select d.contact_id, r.depth + 1 from directory_contacts d join reports r on d.manager_id = r.contact_id
      where d.connection = ${connection} and r.depth < ${depth}
    ) select contact_id from reports)`;
}

/**
 * The people a rule's scope covers, whatever their status: the flow's search and filters (one
 * condition, services/directory/queries.ts `contactMatches`) and "reports to". Status is the run's to
 * judge: an inactive person in scope is a leaver, not someone out of scope. `count` walks the
 * directory once (for queries over all of it); `seats` checks rows found another way.
 */
export function scopeWhere(dialect: Dialect, connection: string, scope: SyncScope, access: 'count' | 'seats'): Expression<SqlBool> {
  const eb = expressionBuilder<Database, 'directory_contacts'>();
  const matches = contactMatches(dialect, connection, { search: scope.search, filters: { ...scope.filters, status: 'all' } }, access)(eb);
  return scope.reportsTo ? eb.and([matches, eb('directory_contacts.contact_id', 'in', reportsTo(connection, scope.reportsTo))]) : matches;
}

export function inScope(db: Q, connection: string, scope: SyncScope): ContactQuery {
  return db.selectFrom('directory_contacts').where(scopeWhere(dialectOf(db), connection, scope, 'count'));
}

/** The HR fields role rules read, as one text: a person whose text is unchanged keeps their role. */
export const SEPARATOR = '\u001f';
export function factsOf(alias: string) {
  const col = (c: string) => sql`coalesce(${sql.ref(`${alias}.${c}`)}, '')`;
  return sql<string>`${col('department')} || ${SEPARATOR} || ${col('title')} || ${SEPARATOR} || ${col('location')} || ${SEPARATOR} || ${col('employment_type')}`;
}

export interface HrFields {
  department: string | null;
  title: string | null;
  location: string | null;
  employment_type: string | null;
}

const FIELD_COLUMN = { department: 'department', title: 'title', location: 'location', employmentType: 'employment_type' } as const;

/** The role a rule gives a person: the first role rule whose conditions all hold, else the default. Case and accents ignored. */
export function roleFor(def: Pick<RuleDefinition, 'roleRules' | 'defaultRole'>, person: HrFields): string {
  const holds = (c: RoleRule['conditions'][number]) => {
    const value = foldForSearch(person[FIELD_COLUMN[c.field]] ?? '').trim();
    const wanted = foldForSearch(c.value).trim();
    return c.operator === 'is' ? value === wanted : value.includes(wanted);
  };
  return def.roleRules.find((r) => r.conditions.every(holds))?.role ?? def.defaultRole;
}

export interface SyncDeps {
  db: Kysely<Database>;
  config: AppConfig;
  /** Opens the stored credentials of an organization's connection: `credentialKey(config.secret)`, derived once. */
  sealingKey: KeyObject;
  providers: ProviderRegistry;
  now: () => Date;
  logger?: Logger | undefined;
}
