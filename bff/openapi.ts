/**
 * The BFF contract as an OpenAPI 3.1 document (DESIGN.md: "document it fully as OpenAPI"),
 * served at `GET /api/openapi.json`. Request bodies, parameters and queries are generated from
 * the same zod schemas the routes validate with, so they cannot drift; response schemas are
 * written here beside the types in contract.ts, and bff/openapi.test.ts checks them against real
 * answers and checks that every route of the app is documented and nothing else is.
 */
import { z } from 'zod';
import {
  acceptRequest,
  connectionRequest,
  csvMappingRequest,
  uploadParams,
  CSV_CONTACT_FIELDS,
  contactsQueryFields,
  importRequest,
  inviteListQuery,
  inviteParams,
  oauthStartRequest,
  memberSync,
  providerParams,
  sessionRequest,
  targetParams,
  targetUpsert,
  CONTACT_STATUSES,
  TARGET_TYPES,
} from './contract.js';
import { eventListQuery } from './routes/events.js';

type Schema = Record<string, unknown>;

const jsonSchema = (s: z.ZodType): Schema => {
  const { $schema: _, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Schema;
  return rest;
};
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const nullable = (type: string): Schema => ({ type: [type, 'null'] });
const obj = (properties: Record<string, Schema>, optional: string[] = []): Schema => ({
  type: 'object',
  properties,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
});

/** Path and query parameters from a strict zod object, one OpenAPI parameter per key. */
function parameters(where: 'path' | 'query', schema: z.ZodObject): Schema[] {
  const shape = jsonSchema(schema) as { properties: Record<string, Schema>; required?: string[] };
  return Object.entries(shape.properties).map(([name, s]) => ({ name, in: where, required: where === 'path' || (shape.required ?? []).includes(name), schema: s }));
}

const schemas: Record<string, Schema> = {
  Error: obj({ error: obj({ code: { type: 'string' }, message: { type: 'string' }, details: {} }, ['details']) }),
  Seats: obj({ limit: { type: 'integer' }, used: { type: 'integer' }, remaining: { type: 'integer' } }),
  Role: obj({ id: { type: 'string' }, label: { type: 'string' } }),
  Target: obj({
    type: { enum: [...TARGET_TYPES] },
    id: { type: 'string' },
    name: { type: 'string' },
    organizationId: nullable('string'),
    seatLimit: { type: 'integer' },
    roles: { type: 'array', items: ref('Role') },
    defaultRole: { type: 'string' },
    seats: ref('Seats'),
  }),
  Session: obj({
    inviter: obj({ id: { type: 'string' }, name: { type: 'string' }, email: { type: 'string' } }),
    target: obj({ type: { enum: [...TARGET_TYPES] }, id: { type: 'string' }, name: { type: 'string' }, roles: { type: 'array', items: ref('Role') }, defaultRole: { type: 'string' } }),
    seats: ref('Seats'),
    expiresAt: { type: 'string', format: 'date-time' },
  }),
  ConnectionState: { enum: ['ready', 'needs_credentials', 'error'] },
  Provider: obj(
    {
      id: { type: 'string' },
      type: { type: 'string' },
      name: { type: 'string' },
      connection: ref('ConnectionState'),
      fields: { type: 'array', items: obj({ name: { type: 'string' }, label: { type: 'string' }, secret: { type: 'boolean' }, required: { type: 'boolean' } }) },
      oauth: { type: 'boolean', description: 'The organization connects by signing in (OAuth popup).' },
      directory: {
        ...obj({ syncedAt: { type: 'string', format: 'date-time' }, freshFor: { type: 'integer', minimum: 0, description: 'Seconds until it must be refreshed before it is listed' } }),
        description: 'The cached directory, when there is one',
      },
    },
    ['fields', 'oauth', 'directory'],
  ),
  Contact: obj({
    id: { type: 'string' },
    firstName: nullable('string'),
    lastName: nullable('string'),
    displayName: { type: 'string' },
    email: nullable('string'),
    personalEmail: nullable('string'),
    title: nullable('string'),
    department: nullable('string'),
    location: nullable('string'),
    managerId: nullable('string'),
    status: { enum: [...CONTACT_STATUSES] },
    avatarUrl: nullable('string'),
    membership: { enum: ['member', 'invited', null] },
  }),
  ContactPage: obj({ items: { type: 'array', items: ref('Contact') }, nextCursor: nullable('string'), total: { type: 'integer' }, selectable: { type: 'integer' } }),
  RefreshStatus: obj(
    {
      status: { enum: ['idle', 'syncing', 'ready', 'error'] },
      fetched: { type: 'integer' },
      total: nullable('integer'),
      syncedAt: { type: ['string', 'null'], format: 'date-time' },
      stale: { type: 'boolean' },
      error: obj({ code: { type: 'string' }, message: { type: 'string' } }),
    },
    ['error'],
  ),
  Facet: obj({ value: { type: 'string' }, count: { type: 'integer' } }),
  ImportResult: obj({
    id: { type: 'string' },
    invited: { type: 'integer' },
    skipped: {
      type: 'array',
      items: obj({ contactId: { type: 'string' }, email: nullable('string'), reason: { enum: ['already_member', 'already_invited', 'no_email', 'invalid_email', 'duplicate', 'not_found'] } }),
    },
    seats: ref('Seats'),
  }),
  CsvCounts: obj({ rows: { type: 'integer' }, contacts: { type: 'integer' }, withoutEmail: { type: 'integer' }, duplicates: { type: 'integer' }, ragged: { type: 'integer' } }),
  CsvUploadPreview: obj({
    id: { type: 'string' },
    expiresAt: { type: 'string', format: 'date-time' },
    delimiter: { enum: [',', ';', '\t'] },
    columns: { type: 'array', items: { type: 'string' } },
    mapping: obj(Object.fromEntries(CSV_CONTACT_FIELDS.map((f) => [f, nullable('string')]))),
    preview: {
      type: 'array',
      items: obj({ line: { type: 'integer' }, contact: { type: 'object', required: ['id', 'displayName', 'email', 'status'] } }),
    },
    counts: ref('CsvCounts'),
    ragged: { type: 'array', items: obj({ line: { type: 'integer' }, cells: { type: 'integer' } }) },
  }),
  Invite: obj({
    id: { type: 'string' },
    email: { type: 'string' },
    name: nullable('string'),
    role: { type: 'string' },
    status: { enum: ['pending', 'accepted', 'revoked', 'expired'] },
    delivery: { enum: ['queued', 'sending', 'sent', 'failed', 'cancelled'] },
    deliveryError: nullable('string'),
    expiresAt: { type: 'string', format: 'date-time' },
    createdAt: { type: 'string', format: 'date-time' },
    importId: nullable('string'),
  }),
};

const json = (schema: Schema, description: string) => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(ref('Error'), description);
const body = (s: z.ZodType) => ({ required: true, content: { 'application/json': { schema: jsonSchema(s) } } });

/** Answers every route may give besides its own. */
const common = {
  '400': error('Bad input: `invalid_request` with `details.fields`'),
  '413': error('`payload_too_large`'),
  '415': error('`unsupported_media_type`: send JSON'),
  '429': error('`rate_limited`, with Retry-After'),
  '503': error('`database_busy` (nothing written; Retry-After) or `database_unavailable`'),
};
const auth = (scheme: 'apiKey' | 'session') => ({
  security: [{ [scheme]: [] }],
  responses: { '401': error(scheme === 'apiKey' ? '`unauthorized`: missing or invalid API key' : '`session_missing`, `session_invalid` or `session_expired`') },
});
const providerErrors = {
  '409': error('`provider_not_connected` (the organization has not connected this provider) or `connection_unreadable` (stored credentials no longer open: connect again)'),
  '502': error('The provider refused or answered nonsense: `provider_auth` (reconnect), `provider_permission`, `provider_bad_response`, `provider_sync_failed`, `provider_quota_exceeded`'),
  '504': error('`provider_timeout`'),
};

function op(summary: string, spec: { auth?: 'apiKey' | 'session'; parameters?: Schema[]; requestBody?: Schema; responses: Record<string, Schema> }) {
  const a = spec.auth ? auth(spec.auth) : { security: [], responses: {} };
  return {
    summary,
    security: a.security,
    ...(spec.parameters ? { parameters: spec.parameters } : {}),
    ...(spec.requestBody ? { requestBody: spec.requestBody } : {}),
    responses: { ...common, ...a.responses, ...spec.responses },
  };
}

const targetPath = parameters('path', targetParams);
const providerPath = parameters('path', providerParams);
const invitePath = parameters('path', inviteParams);
const uploadPath = parameters('path', uploadParams);
const uploadErrors = {
  '404': error('`provider_not_found`, or `upload_not_found` (unknown or expired: uploads are kept for an hour)'),
  '409': error('`not_a_csv_provider`'),
};

export function openApiDocument(): Schema {
  return {
    openapi: '3.1.0',
    info: {
      title: 'hr-import BFF',
      version: '1',
      description: 'Import contacts from HR applications and invite them to an organization, lab or challenge. Errors are always `{ error: { code, message, details? } }`.',
    },
    servers: [{ url: '/' }],
    components: {
      schemas,
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'Server-to-server API key (HR_IMPORT_API_KEY; several during a rotation).' },
        session: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Session token from POST /api/sessions, scoped to one inviter and one target.' },
      },
    },
    paths: {
      '/api/health': { get: op('The database answers', { responses: { '200': json(obj({ ok: { const: true } }), 'Ready') } }) },
      '/api/openapi.json': { get: op('This document', { responses: { '200': json({ type: 'object' }, 'The OpenAPI document') } }) },
      '/api/sessions': {
        post: op('Open a widget session for an inviter on a target', {
          auth: 'apiKey',
          requestBody: body(sessionRequest),
          responses: { '201': json(obj({ token: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } }), 'The session token'), '404': error('`target_not_found`') },
        }),
      },
      '/api/targets/{type}/{id}': {
        put: op('Create or update a target', {
          auth: 'apiKey',
          parameters: targetPath,
          requestBody: body(targetUpsert),
          responses: { '200': json(ref('Target'), 'Updated'), '201': json(ref('Target'), 'Created') },
        }),
      },
      '/api/targets/{type}/{id}/members': {
        put: op("Replace a target's members with the host's list", {
          auth: 'apiKey',
          parameters: targetPath,
          requestBody: body(memberSync),
          responses: { '200': json(obj({ members: { type: 'integer' }, seats: ref('Seats') }), 'Members replaced'), '404': error('`target_not_found`') },
        }),
      },
      '/api/session': { get: op('The session: inviter, target, seats', { auth: 'session', responses: { '200': json(ref('Session'), 'The session') } }) },
      '/api/providers': {
        get: op('HR applications of the deployment and their connection state', {
          auth: 'session',
          responses: { '200': json(obj({ items: { type: 'array', items: ref('Provider') } }), 'Providers') },
        }),
      },
      '/api/providers/{provider}/contacts': {
        get: op('Contacts of a provider from the directory cache: search, filters, keyset paging', {
          auth: 'session',
          parameters: [...providerPath, ...parameters('query', contactsQueryFields)],
          responses: { '200': json(ref('ContactPage'), 'One page'), '404': error('`provider_not_found`'), ...providerErrors },
        }),
      },
      '/api/providers/{provider}/contacts/facets': {
        get: op('Department and location counts for the filters', {
          auth: 'session',
          parameters: [...providerPath, ...parameters('query', contactsQueryFields.pick({ search: true, status: true }))],
          responses: { '200': json(obj({ departments: { type: 'array', items: ref('Facet') }, locations: { type: 'array', items: ref('Facet') } }), 'Facets'), '404': error('`provider_not_found`'), ...providerErrors },
        }),
      },
      '/api/providers/{provider}/refresh': {
        get: op("The directory cache's refresh: status, people fetched so far, the total where the provider tells it", {
          auth: 'session',
          parameters: providerPath,
          responses: { '200': json(ref('RefreshStatus'), 'Status'), '404': error('`provider_not_found`'), ...providerErrors },
        }),
        post: op('Start a refresh in the background (or join the one running)', {
          auth: 'session',
          parameters: providerPath,
          responses: { '202': json(ref('RefreshStatus'), 'Started'), '404': error('`provider_not_found`'), ...providerErrors },
        }),
      },
      '/api/providers/{provider}/connection': {
        put: op("Store the organization's credentials for a provider (never answered back)", {
          auth: 'session',
          parameters: providerPath,
          requestBody: body(connectionRequest),
          responses: { '200': json(obj({ connection: ref('ConnectionState') }), 'Connected'), '409': error('`configured_by_deployment`'), '404': error('`provider_not_found`') },
        }),
        delete: op('Remove the credentials and the cached directory', {
          auth: 'session',
          parameters: providerPath,
          responses: { '200': json(obj({ connection: ref('ConnectionState') }), 'Disconnected'), '409': error('`configured_by_deployment`'), '404': error('`provider_not_found`') },
        }),
      },
      '/api/providers/{provider}/connection/test': {
        post: op("Read the provider's first page with the stored credentials", {
          auth: 'session',
          parameters: providerPath,
          responses: { '200': json(obj({ ok: { const: true }, sample: { type: 'integer' } }), 'The provider answered'), '404': error('`provider_not_found`'), ...providerErrors },
        }),
      },
      '/api/providers/{provider}/uploads': {
        post: op("Upload a CSV file (the body is the file, `text/csv`): its columns, a guessed mapping, the first rows", {
          auth: 'session',
          parameters: providerPath,
          requestBody: { required: true, content: { 'text/csv': { schema: { type: 'string' } } } },
          responses: {
            '201': json(ref('CsvUploadPreview'), 'Held for an hour under its id'),
            ...uploadErrors,
            '400': error('Not a CSV file: `csv_empty`, `csv_no_header`, `csv_no_rows`, `csv_not_text`, …'),
            '413': error('`payload_too_large`: more than 10 MB or 100,000 rows'),
            '415': error('`unsupported_media_type`: send the file as text/csv'),
          },
        }),
      },
      '/api/providers/{provider}/uploads/{upload}/preview': {
        post: op('The same upload under another column mapping', {
          auth: 'session',
          parameters: uploadPath,
          requestBody: body(csvMappingRequest),
          responses: { '200': json(ref('CsvUploadPreview'), 'Preview'), ...uploadErrors },
        }),
      },
      '/api/providers/{provider}/uploads/{upload}/confirm': {
        post: op("Make the mapped rows the organization's directory for this provider, in one transaction", {
          auth: 'session',
          parameters: uploadPath,
          requestBody: body(csvMappingRequest),
          responses: { '200': json(obj({ connection: { const: 'ready' }, counts: ref('CsvCounts') }), 'The directory now holds the file'), ...uploadErrors },
        }),
      },
      '/api/providers/{provider}/oauth': {
        post: op("Start signing the organization in to the provider (OAuth authorization code, PKCE) in the widget's popup", {
          auth: 'session',
          parameters: providerPath,
          requestBody: body(oauthStartRequest),
          responses: {
            '200': json(obj({ authorizeUrl: { type: 'string' }, callbackOrigin: { type: 'string' } }), 'Where to send the popup, and the origin its answer will come from'),
            '403': error('`origin_not_allowed`: the host page is not one of the allowed origins'),
            '404': error('`provider_not_found`'),
            '409': error('`sign_in_not_offered` (the provider takes no sign-in here) or `sign_in_not_configured` (no public URL to return to)'),
          },
        }),
      },
      '/api/oauth/callback': {
        get: op('Where the provider returns the popup: redeems the code, stores the grant sealed, and answers a page that posts the result to the stored origin exactly', {
          parameters: [
            { name: 'state', in: 'query', required: false, schema: { type: 'string' } },
            { name: 'code', in: 'query', required: false, schema: { type: 'string' } },
            { name: 'error', in: 'query', required: false, schema: { type: 'string' } },
          ],
          responses: {
            '200': { description: 'Signed in: an HTML page that posts `{ type: "hr-import-oauth", provider, ok: true }` and closes', content: { 'text/html': { schema: { type: 'string' } } } },
            '400': { description: 'Unknown, reused or expired state, or consent declined: the same page with `ok: false`', content: { 'text/html': { schema: { type: 'string' } } } },
            '502': { description: '`token_exchange_failed`: the provider refused the code; the same page with `ok: false`', content: { 'text/html': { schema: { type: 'string' } } } },
          },
        }),
      },
      '/api/imports': {
        post: op('Import contacts: invite them, within the user limit, once per Idempotency-Key', {
          auth: 'session',
          parameters: [{ name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{8,200}$' } }],
          requestBody: body(importRequest),
          responses: {
            '201': json(ref('ImportResult'), 'Imported (a replay carries `Idempotent-Replayed: true`)'),
            ...providerErrors,
            '409': error('`seat_limit_exceeded` (nothing written), `idempotency_key_in_flight` (Retry-After), `provider_not_connected` or `connection_unreadable`'),
            '422': error('`idempotency_key_reused`: the key was used with another body'),
          },
        }),
      },
      '/api/invites': {
        get: op("The target's invites, newest first", {
          auth: 'session',
          parameters: parameters('query', inviteListQuery),
          responses: { '200': json(obj({ items: { type: 'array', items: ref('Invite') }, nextCursor: nullable('string') }), 'One page') },
        }),
      },
      '/api/invites/{id}/resend': {
        post: op('Send the invite again with a new token and expiry', {
          auth: 'session',
          parameters: invitePath,
          responses: { '200': json(ref('Invite'), 'Resent'), '403': error('`forbidden_target`'), '404': error('`invite_not_found`'), '409': error('Not pending, or `seat_limit_exceeded`') },
        }),
      },
      '/api/invites/{id}': {
        delete: op('Revoke an invite: its seat is freed and unsent mail cancelled', {
          auth: 'session',
          parameters: invitePath,
          responses: { '204': { description: 'Revoked' }, '403': error('`forbidden_target`'), '404': error('`invite_not_found`') },
        }),
      },
      ...eventsPaths(),
      '/api/invites/accept': {
        post: op("Accept an invite with the email's token", {
          requestBody: body(acceptRequest),
          responses: {
            '200': json(obj({ target: obj({ type: { enum: [...TARGET_TYPES] }, id: { type: 'string' }, name: { type: 'string' } }), email: { type: 'string' }, role: { type: 'string' } }), 'Now a member'),
            '404': error('Unknown token'),
            '409': error('`seat_limit_exceeded`: the host lowered the limit below the seats taken'),
            '410': error('Already accepted, revoked or expired'),
          },
        }),
      },
    },
  };
}

/**
 * GET /api/events, self-contained so it can move into the derived contract as one piece. An
 * event is the body a webhook delivers (README "Events for your backend") plus its id.
 */
function eventsPaths(): Record<string, Schema> {
  const target = obj({ type: { type: 'string' }, id: { type: 'string' } });
  const inviteData = obj(
    { target, inviteId: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' }, importId: nullable('string'), reason: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } },
    ['reason', 'expiresAt'],
  );
  const importData = obj({
    target,
    importId: { type: 'string' },
    invited: { type: 'integer' },
    skipped: { type: 'integer' },
    invites: { type: 'array', maxItems: 100, items: obj({ inviteId: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' } }) },
    invitesTruncated: { type: 'boolean' },
  });
  const event = {
    oneOf: [
      obj({ id: { type: 'string' }, type: { const: 'import.completed' }, timestamp: { type: 'string', format: 'date-time' }, data: importData }),
      obj({
        id: { type: 'string' },
        type: { enum: ['invite.sent', 'invite.delivery_failed', 'invite.accepted', 'invite.expired', 'invite.revoked'] },
        timestamp: { type: 'string', format: 'date-time' },
        data: inviteData,
      }),
    ],
  };
  return {
    '/api/events': {
      get: op('Events (import completed, invite sent, delivery failed, accepted, expired, revoked) in the order they committed: the same ones webhooks deliver', {
        auth: 'apiKey',
        parameters: parameters('query', eventListQuery),
        responses: {
          '200': json(obj({ items: { type: 'array', items: event }, next: { ...nullable('string'), description: 'Pass as `after` to go on; the last listed id, or `after` itself when nothing is new' } }), 'One page'),
          '400': error('`invalid_cursor`: `after` is not an event id this server listed; or `invalid_request`'),
        },
      }),
    },
  };
}
