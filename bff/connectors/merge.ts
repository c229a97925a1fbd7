/**
 * Merge HRIS (a unified API in front of the customer's HR system): `GET /api/hris/v1/employees`,
 * 100 a page (Merge's maximum), paged by the `next` cursor. The API key goes as a bearer token
 * and the Linked Account's token as `X-Account-Token`. The hosts are the ones Merge's own API
 * SDKs name (production, EU production, sandbox), chosen by `baseUrl`; an account Merge places
 * elsewhere sets its host there.
 *
 * Titles, departments and locations are related objects, so we ask for them expanded
 * (`expand=employments,groups,team,work_location`) instead of fetching each one: the title is the
 * latest employment's, the department the DEPARTMENT group's name (or the team's, the older
 * model), the location the work location's name. The manager stays an id, which is what we keep.
 * INACTIVE, a passed termination date, or deletion in the HR system make a person inactive;
 * PENDING (hired, not started) is active. Throttling is 429 with Retry-After, per Linked Account.
 */
import {
  blankToNull,
  connectorHttp,
  isPast,
  isRecord,
  pageCursor,
  pageLabel,
  readCursor,
  recordsOf,
  requireCredentials,
  toContacts,
  unreadable,
  urlOr,
  type ConnectorOptions,
  type RawContact,
} from './normalize.js';
import { readTimeWatermark, timeWatermark } from './paging.js';
import { fieldsToRequest, type OptionalField } from './minimize.js';
import type { Connector, ConnectorFactory, ConnectorSettings } from './types.js';

export const MERGE_API_URL = 'https://api.merge.dev';
export const MERGE_EU_API_URL = 'https://api-eu.merge.dev';
export const MERGE_SANDBOX_API_URL = 'https://api-sandbox.merge.dev';
export const MERGE_CREDENTIALS = ['apiKey', 'accountToken'] as const;

const PROVIDER = 'Merge';
const PAGE_SIZE = 100;
const EXPAND = ['employments', 'groups', 'team', 'work_location'];
/**
 * A turned-off location is not expanded, so Merge sends only the work location's id, which says
 * nothing about the person. Merge's employees endpoint has no field selection
 * (docs.merge.dev/merge-unified/hris/common-models/employees/list: its parameters
 * are filters, `expand`, `include_remote_data`, `remote_fields` and `show_enum_origins`), so
 * the other optional fields (manager id, personal email, avatar, and the title inside the
 * employments the employment type needs) still arrive and are dropped on arrival (minimize.ts).
 */
const EXPAND_SOURCES: Partial<Record<OptionalField, string[]>> = { location: ['work_location'] };

/** A related object's field when expanded; an unexpanded relation is only an id, and says nothing. */
const fieldOf = (value: unknown, key: string): unknown => (isRecord(value) ? value[key] : undefined);

/** A field of the latest expanded employment that has it: the title and the employment type each come from the newest that says. */
function latest(employments: unknown, key: string): unknown {
  const known = recordsOf(employments).filter((e) => blankToNull(e[key]));
  const dated = (e: Record<string, unknown>) => Date.parse(String(e.effective_date ?? '')) || 0;
  return known.sort((a, b) => dated(b) - dated(a))[0]?.[key];
}

function read(e: Record<string, unknown>): RawContact {
  const department = recordsOf(e.groups).find((g) => g.type === 'DEPARTMENT');
  return {
    id: e.id,
    firstName: e.first_name,
    lastName: e.last_name,
    displayName: e.display_full_name,
    email: e.work_email,
    personalEmail: e.personal_email,
    title: latest(e.employments, 'job_title'),
    department: blankToNull(department?.name) ?? fieldOf(e.team, 'name'),
    location: blankToNull(fieldOf(e.work_location, 'name')) ?? fieldOf(e.work_location, 'city'),
    // FULL_TIME, PART_TIME, INTERN, CONTRACTOR or FREELANCE, on the employment, not the employee.
    employmentType: latest(e.employments, 'employment_type'),
    managerId: isRecord(e.manager) ? e.manager.id : e.manager,
    avatarUrl: e.avatar,
    inactive: e.employment_status === 'INACTIVE' || e.remote_was_deleted === true || isPast(e.termination_date),
  };
}

export function createMergeConnector(settings: ConnectorSettings, options: ConnectorOptions = {}): Connector {
  const { apiKey, accountToken } = requireCredentials(PROVIDER, settings.credentials, MERGE_CREDENTIALS);
  const http = connectorHttp(PROVIDER, settings, options);
  const endpoint = `${urlOr(settings.baseUrl, MERGE_API_URL)}/api/hris/v1/employees`;
  const expand = fieldsToRequest(EXPAND, EXPAND_SOURCES, settings.omit).join(',');

  async function fetchPage(cursor: string | null, signal: AbortSignal, filter: Record<string, string> = {}) {
    const { page, state } = readCursor(PROVIDER, cursor);
    const url = new URL(endpoint);
    url.search = new URLSearchParams({ page_size: String(PAGE_SIZE), expand, ...filter, ...(state ? { cursor: state } : {}) }).toString();
    const body = await http.json<unknown>(url, {
      signal,
      page: pageLabel(page),
      headers: { Authorization: `Bearer ${apiKey}`, 'X-Account-Token': accountToken },
    });
    if (!isRecord(body) || !Array.isArray(body.results)) throw unreadable(PROVIDER, pageLabel(page), 'no "results" list');
    const next = blankToNull(body.next);
    return { records: recordsOf(body.results), nextCursor: next ? pageCursor(page + 1, next) : null };
  }

  return {
    async listContacts({ cursor, signal }) {
      const { records, nextCursor } = await fetchPage(cursor, signal);
      return { contacts: toContacts(records, read), nextCursor };
    },
    changeWatermark: async ({ startedAt }) => timeWatermark(startedAt),
    /**
     * `modified_after` (docs.merge.dev, Employees list): only objects whose data Merge changed
     * after that time. With `include_deleted_data=true` the people deleted in the HR system come
     * back too, marked `remote_was_deleted`, so Merge's changes name deletions.
     */
    async *listChanges({ since, startedAt, signal }) {
      const filter = { modified_after: readTimeWatermark(PROVIDER, since).toISOString(), include_deleted_data: 'true' };
      let cursor: string | null = null;
      do {
        const page: { records: Record<string, unknown>[]; nextCursor: string | null } = await fetchPage(cursor, signal, filter);
        const gone = page.records.filter((e) => e.remote_was_deleted === true);
        yield {
          contacts: toContacts(
            page.records.filter((e) => e.remote_was_deleted !== true),
            read,
          ),
          deleted: gone.map((e) => String(e.id ?? '')).filter(Boolean),
          watermark: page.nextCursor ? null : timeWatermark(startedAt),
        };
        cursor = page.nextCursor;
      } while (cursor);
    },
  };
}

createMergeConnector satisfies ConnectorFactory;
