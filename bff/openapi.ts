/**
 * The BFF contract as an OpenAPI 3.1 document, served at `GET <basePath>/openapi.json` and
 * generated, never written: every schema comes from bff/contract/ (the same zod schemas the
 * routes validate with and answer in), and the one table below says which operation takes and
 * answers which. bff/openapi.test.ts checks it against real answers, and that every route of the
 * app is documented and nothing else is; scripts/generate-contract.ts turns it into the
 * TypeScript of the widget's client and of the host client.
 */
import { z } from 'zod';
import {
  acceptedInvite,
  inviteLookup,
  acceptRequest,
  connectionInfo,
  connectionRequest,
  connectionTest,
  contactFacets,
  contactPage,
  contactsFacetsQuery,
  contactsQueryFields,
  csvMappingRequest,
  csvUploadConfirmation,
  csvUploadPreview,
  errorBody,
  health,
  idempotencyKey,
  importRequest,
  importResult,
  inviteList,
  inviteListQuery,
  inviteParams,
  inviteSummary,
  inviteResendRequest,
  inviteResendResult,
  memberSync,
  memberSyncResult,
  oauthCallbackQuery,
  oauthStart,
  oauthStartRequest,
  openApiOutline,
  providerList,
  providerParams,
  refreshStatus,
  refreshRequest,
  sessionInfo,
  sessionRequest,
  sessionToken,
  target,
  targetParams,
  targetUpsert,
  uploadParams,
  eventList,
  eventListQuery,
  privacyErasure,
  privacyExport,
  privacyRequest,
  scimDiscoveryList,
  scimEmptyList,
  scimError,
  scimListQuery,
  scimPatch,
  scimServiceProviderConfig,
  scimToken,
  scimTokenParams,
  scimUser,
  scimUserList,
  scimUserParams,
  scimUserResource,
  syncDryRun,
  syncRule,
  syncRuleInput,
  syncRuleList,
  syncRuleParams,
  syncRunList,
  syncRunParams,
  syncRunSummary,
  syncUpdateAction,
  syncUpdateList,
  syncUpdateResult,
  syncUpdatesQuery,
} from './contract/index.js';
import { requestSchemas, responseSchemas } from './contract/registry.js';

type Schema = Record<string, unknown>;

/** Response headers the document names; each answer lists those it may carry. */
const HEADERS = {
  'X-Request-Id': { description: 'This request in the BFF log', required: true, schema: { type: 'string' } },
  'Retry-After': { description: 'Seconds to wait before sending the same request again', schema: { type: 'string', pattern: '^[0-9]+$' } },
  'Idempotent-Replayed': {
    description: '`true` when this is the stored answer of an earlier request with the same Idempotency-Key: nothing ran again',
    schema: { const: 'true' },
  },
  Location: { description: 'The created SCIM resource (its meta.location)', schema: { type: 'string' } },
  ETag: { description: "The SCIM resource's meta.version", schema: { type: 'string' } },
} as const;
export type ResponseHeader = keyof typeof HEADERS;

interface Answer {
  description: string;
  /** A named schema of bff/contract/ (JSON); absent with `html` or for an empty answer. */
  json?: z.ZodType;
  /** The JSON is sent as `application/scim+json` (the SCIM routes). */
  scim?: true;
  html?: true;
  headers?: ResponseHeader[];
}

export interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Below the base path, as an OpenAPI template: `/providers/{provider}/contacts`. */
  path: string;
  operationId: string;
  summary: string;
  /** `scim`: an organization's SCIM token; such routes answer SCIM bodies and SCIM errors only. */
  auth?: 'apiKey' | 'session' | 'scim';
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** Sent with an `Idempotency-Key` header; every answer may then be a replay. */
  idempotent?: true;
  /** A JSON body (a named request schema), or the file itself. */
  body?: z.ZodType | 'csv';
  responses: Record<string, Answer>;
}

const ok = (json: z.ZodType, description?: string, headers?: ResponseHeader[]): Answer => ({
  json,
  description: description ?? responseSchemas.get(json)?.description ?? 'OK',
  ...(headers ? { headers } : {}),
});
const error = (description: string, headers?: ResponseHeader[]): Answer => ({ json: errorBody, description, ...(headers ? { headers } : {}) });
const html = (description: string): Answer => ({ html: true, description });

/** Answers every route may give besides its own. */
const common: Record<string, Answer> = {
  '400': error('Bad input: `invalid_request` with `details.fields`'),
  '413': error('`payload_too_large`'),
  '415': error('`unsupported_media_type`: send JSON'),
  '429': error('`rate_limited`', ['Retry-After']),
  '503': error(
    '`database_busy` (nothing written; try again now) or `database_unavailable` (the database refuses writes: full disk, read-only; nothing written; reads still work)',
    ['Retry-After'],
  ),
};
/** A SCIM answer or refusal (`application/scim+json`). */
const scimOk = (json: z.ZodType, description?: string, headers?: ResponseHeader[]): Answer => ({ ...ok(json, description, headers), scim: true });
const scimRefusal = (description: string, headers?: ResponseHeader[]): Answer => ({
  json: scimError,
  scim: true,
  description,
  ...(headers ? { headers } : {}),
});
/** Answers every SCIM route may give besides its own: SCIM error bodies, never `{ error }`. */
const scimCommon: Record<string, Answer> = {
  '400': scimRefusal('`invalidValue`, `invalidSyntax`, `invalidFilter`, `invalidPath`, `mutability` or `tooMany`, the attribute named in `detail`'),
  '404': scimRefusal('No such user in this organization, or SCIM is not enabled on this deployment'),
  '413': scimRefusal('The body is over 256 KB'),
  '415': scimRefusal('Send application/scim+json (or application/json)'),
  '429': scimRefusal('Too many requests with this token this minute', ['Retry-After']),
  '503': scimRefusal('The database is busy or refuses writes; nothing was written', ['Retry-After']),
};
const unauthorized = {
  apiKey: error('`unauthorized`: missing or invalid API key'),
  session: error('`session_missing`, `session_invalid` or `session_expired`'),
  scim: scimRefusal('Missing, revoked, rotated or mistyped SCIM token'),
};
const providerNotFound = { '404': error('`provider_not_found`') };
const providerErrors: Record<string, Answer> = {
  '409': error(
    '`provider_not_connected` (the organization has not connected this provider) or `connection_unreadable` (stored credentials no longer open: connect again)',
  ),
  '502': error(
    'The provider refused or answered nonsense: `provider_auth` (reconnect), `provider_permission`, `provider_bad_response`, `provider_sync_failed`',
  ),
  '503': error('`provider_rate_limited` or `provider_quota_exceeded` (Retry-After when the provider tells), or `database_busy`', ['Retry-After']),
  '504': error('`provider_unavailable`: the provider did not answer in time'),
};
const uploadErrors: Record<string, Answer> = {
  '404': error('`provider_not_found`, or `upload_not_found` (unknown or expired: uploads are kept for an hour)'),
  '409': error('`not_a_csv_provider`'),
};

/** Every operation of the BFF, once. */
export const OPERATIONS: Operation[] = [
  {
    method: 'get',
    path: '/health',
    operationId: 'getHealth',
    summary: 'Ready: the database answers and takes writes (checked at most every 1.5 s). For load balancers',
    responses: {
      '200': ok(health, 'Ready'),
      '503': error('`database_unavailable`: the database does not answer or cannot store changes (full disk, read-only); reads may still work', [
        'Retry-After',
      ]),
    },
  },
  {
    method: 'get',
    path: '/health/ready',
    operationId: 'getReadiness',
    summary: 'The same as /health',
    responses: {
      '200': ok(health, 'Ready'),
      '503': error('`database_unavailable`: the database does not answer or cannot store changes (full disk, read-only); reads may still work', [
        'Retry-After',
      ]),
    },
  },
  {
    method: 'get',
    path: '/health/live',
    operationId: 'getLiveness',
    summary: 'Live: the process answers, whatever its database does. For restart decisions',
    responses: { '200': ok(health, 'Live') },
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This document',
    responses: { '200': ok(openApiOutline, 'The OpenAPI document') },
  },
  {
    method: 'post',
    path: '/sessions',
    operationId: 'createSession',
    summary: 'Open a widget session for an inviter on a target',
    auth: 'apiKey',
    body: sessionRequest,
    responses: { '201': ok(sessionToken), '404': error('`target_not_found`') },
  },
  {
    method: 'put',
    path: '/targets/{type}/{id}',
    operationId: 'putTarget',
    summary: 'Create or update a target',
    auth: 'apiKey',
    params: targetParams,
    body: targetUpsert,
    responses: { '200': ok(target, 'Updated'), '201': ok(target, 'Created') },
  },
  {
    method: 'put',
    path: '/targets/{type}/{id}/members',
    operationId: 'syncMembers',
    summary: "Replace a target's members with the host's list",
    auth: 'apiKey',
    params: targetParams,
    body: memberSync,
    responses: { '200': ok(memberSyncResult), '404': error('`target_not_found`') },
  },
  {
    method: 'get',
    path: '/session',
    operationId: 'getSession',
    summary: 'The session: inviter, target, seats',
    auth: 'session',
    responses: { '200': ok(sessionInfo, 'The session') },
  },
  {
    method: 'get',
    path: '/providers',
    operationId: 'listProviders',
    summary: 'HR applications of the deployment and their connection state',
    auth: 'session',
    responses: { '200': ok(providerList, 'Providers') },
  },
  {
    method: 'get',
    path: '/providers/{provider}/contacts',
    operationId: 'listContacts',
    summary: 'Contacts of a provider from the directory cache: search, filters, keyset paging',
    auth: 'session',
    params: providerParams,
    query: contactsQueryFields,
    responses: { '200': ok(contactPage, 'One page'), ...providerErrors, ...providerNotFound },
  },
  {
    method: 'get',
    path: '/providers/{provider}/contacts/facets',
    operationId: 'getContactFacets',
    summary: 'Department and location counts for the filters',
    auth: 'session',
    params: providerParams,
    query: contactsFacetsQuery,
    responses: { '200': ok(contactFacets, 'Facets'), ...providerErrors, ...providerNotFound },
  },
  {
    method: 'get',
    path: '/providers/{provider}/refresh',
    operationId: 'getRefresh',
    summary: "The directory cache's refresh: status, people fetched so far, the total where the provider tells it",
    auth: 'session',
    params: providerParams,
    responses: { '200': ok(refreshStatus, 'Status'), ...providerErrors, ...providerNotFound },
  },
  {
    method: 'post',
    path: '/providers/{provider}/refresh',
    operationId: 'startRefresh',
    summary: 'Start a refresh in the background (or join the one running); a fresh directory only when forced',
    auth: 'session',
    params: providerParams,
    body: refreshRequest,
    responses: {
      '200': ok(refreshStatus, 'Fresh: nothing started'),
      '202': ok(refreshStatus, 'Started'),
      ...providerErrors,
      ...providerNotFound,
      '429': error('`refresh_too_soon`: this connection was refreshed less than a minute ago', ['Retry-After']),
    },
  },
  {
    method: 'put',
    path: '/providers/{provider}/connection',
    operationId: 'saveConnection',
    summary: "Store the organization's credentials for a provider (never answered back)",
    auth: 'session',
    params: providerParams,
    body: connectionRequest,
    responses: {
      '200': ok(connectionInfo, 'Connected'),
      '409': error('`configured_by_deployment`, `csv_provider` or `sign_in_required`'),
      ...providerNotFound,
    },
  },
  {
    method: 'delete',
    path: '/providers/{provider}/connection',
    operationId: 'deleteConnection',
    summary: 'Remove the credentials and the cached directory',
    auth: 'session',
    params: providerParams,
    responses: { '200': ok(connectionInfo, 'Disconnected'), '409': error('`configured_by_deployment`'), ...providerNotFound },
  },
  {
    method: 'post',
    path: '/providers/{provider}/connection/test',
    operationId: 'testConnection',
    summary: "Read the provider's first page with the stored credentials",
    auth: 'session',
    params: providerParams,
    responses: { '200': ok(connectionTest, 'The provider answered'), ...providerErrors, ...providerNotFound },
  },
  {
    method: 'post',
    path: '/providers/{provider}/uploads',
    operationId: 'uploadCsv',
    summary: 'Upload a CSV file (the body is the file, `text/csv`): its columns, a guessed mapping, the first rows',
    auth: 'session',
    params: providerParams,
    body: 'csv',
    responses: {
      '201': ok(csvUploadPreview, 'Held for an hour under its id'),
      ...uploadErrors,
      '400': error('Not a CSV file: `csv_empty`, `csv_no_header`, `csv_no_rows`, `csv_not_text`, …'),
      '413': error('`payload_too_large`: more than 10 MB, 100,000 rows, 200 columns, 10,000 characters in a cell or 2,000,000 cells (details name the bound)'),
      '415': error('`unsupported_media_type`: send the file as text/csv'),
    },
  },
  {
    method: 'post',
    path: '/providers/{provider}/uploads/{upload}/preview',
    operationId: 'previewCsv',
    summary: 'The same upload under another column mapping',
    auth: 'session',
    params: uploadParams,
    body: csvMappingRequest,
    responses: { '200': ok(csvUploadPreview, 'Preview'), ...uploadErrors },
  },
  {
    method: 'post',
    path: '/providers/{provider}/uploads/{upload}/confirm',
    operationId: 'confirmCsv',
    summary: "Make the mapped rows the organization's directory for this provider, in one transaction",
    auth: 'session',
    params: uploadParams,
    body: csvMappingRequest,
    responses: { '200': ok(csvUploadConfirmation), ...uploadErrors },
  },
  {
    method: 'post',
    path: '/providers/{provider}/oauth',
    operationId: 'startSignIn',
    summary: "Start signing the organization in to the provider (OAuth authorization code, PKCE) in the widget's popup",
    auth: 'session',
    params: providerParams,
    body: oauthStartRequest,
    responses: {
      '200': ok(oauthStart),
      '403': error('`origin_not_allowed`: the host page is not one of the allowed origins'),
      '409': error('`sign_in_not_offered` (the provider takes no sign-in here) or `sign_in_not_configured` (no public URL to return to)'),
      ...providerNotFound,
    },
  },
  {
    method: 'get',
    path: '/oauth/callback',
    operationId: 'finishSignIn',
    summary:
      'Where the provider returns the popup: redeems the code, stores the grant sealed, and answers a page that posts the result to the stored origin exactly',
    query: oauthCallbackQuery,
    responses: {
      '200': html('Signed in: an HTML page that posts an `OAuthResultMessage` with `ok: true` and closes'),
      '400': html('Unknown, reused or expired state, or consent declined: the same page with `ok: false`'),
      '502': html('`token_exchange_failed`: the provider refused the code; the same page with `ok: false`'),
    },
  },
  {
    method: 'post',
    path: '/imports',
    operationId: 'createImport',
    summary: 'Import contacts: invite them, within the user limit, once per Idempotency-Key',
    auth: 'session',
    idempotent: true,
    body: importRequest,
    responses: {
      '201': ok(importResult, 'Imported'),
      ...providerErrors,
      '400': error('Bad input (`invalid_request` with `details.fields`) or `provider_not_found`'),
      '409': error('`seat_limit_exceeded` (nothing written), `idempotency_key_in_flight` (Retry-After), `provider_not_connected` or `connection_unreadable`', [
        'Retry-After',
      ]),
      '422': error('`idempotency_key_reused`: the key was used with another body'),
      '429': error(
        '`rate_limited`, or `mail_limit`: more invitations than the daily mail budget of the target or the inviter leaves (nothing written; the key stays free for a retry)',
        ['Retry-After'],
      ),
    },
  },
  {
    method: 'get',
    path: '/invites',
    operationId: 'listInvites',
    summary: "The target's invites, newest first",
    auth: 'session',
    query: inviteListQuery,
    responses: { '200': ok(inviteList) },
  },
  {
    method: 'post',
    path: '/invites/{id}/resend',
    operationId: 'resendInvite',
    summary: 'Send the invite again with a new token and expiry',
    auth: 'session',
    params: inviteParams,
    responses: {
      '200': ok(inviteSummary, 'Resent'),
      '403': error('`forbidden_target`'),
      '404': error('`invite_not_found`'),
      '409': error('Not pending, or `seat_limit_exceeded`'),
      '429': error(
        "`rate_limited`, or `mail_limit`: within the resend cooldown, past the address's daily limit, or past the daily mail budget of the target or the inviter",
        ['Retry-After'],
      ),
    },
  },
  {
    method: 'post',
    path: '/invites/resend',
    operationId: 'resendInvites',
    summary: 'Resend several invites (pending or expired) with new tokens and expiry; each within the seats and the mail budget',
    auth: 'session',
    body: inviteResendRequest,
    responses: { '200': ok(inviteResendResult) },
  },
  {
    method: 'delete',
    path: '/invites/{id}',
    operationId: 'revokeInvite',
    summary: 'Revoke an invite: its seat is freed and unsent mail cancelled',
    auth: 'session',
    params: inviteParams,
    responses: { '204': { description: 'Revoked' }, '403': error('`forbidden_target`'), '404': error('`invite_not_found`') },
  },
  {
    method: 'get',
    path: '/events',
    operationId: 'listEvents',
    summary:
      'Events (import completed, invite created by a sync rule, sent, delivery failed, accepted, reminded, expired, revoked; sync run completed, member left HR, member role changed) in the order they committed: the same ones webhooks deliver',
    auth: 'apiKey',
    query: eventListQuery,
    responses: { '200': ok(eventList), '400': error('`invalid_cursor`: `after` is not an event id this server listed; or `invalid_request`') },
  },
  {
    method: 'post',
    path: '/privacy/erase',
    operationId: 'erasePerson',
    summary:
      "Erase a person (GDPR art. 17): directory caches, CSV uploads, invites' and memberships' personal fields, unsent mail, events. Idempotent; audited without the address",
    auth: 'apiKey',
    body: privacyRequest,
    responses: { '200': ok(privacyErasure) },
  },
  {
    method: 'post',
    path: '/privacy/export',
    operationId: 'exportPerson',
    summary: 'Everything held about a person (GDPR art. 15), as JSON. Audited without the address',
    auth: 'apiKey',
    body: privacyRequest,
    responses: { '200': ok(privacyExport) },
  },
  {
    method: 'get',
    path: '/sync-rules',
    operationId: 'listSyncRules',
    summary: "The session target's sync rules, each with its last run",
    auth: 'session',
    responses: { '200': ok(syncRuleList) },
  },
  {
    method: 'post',
    path: '/sync-rules/dry-run',
    operationId: 'dryRunSyncRule',
    summary: 'What a rule would do now (matches, invites with their roles, seats), without saving it',
    auth: 'session',
    body: syncRuleInput,
    responses: { '200': ok(syncDryRun), ...providerErrors, '400': error('Bad input (`invalid_request`, `invalid_role`), or `provider_not_found`') },
  },
  {
    method: 'post',
    path: '/sync-rules',
    operationId: 'createSyncRule',
    summary: 'Keep in sync: save a rule for the session target; its first run is due at once',
    auth: 'session',
    body: syncRuleInput,
    responses: {
      '201': ok(syncRule, 'Saved'),
      ...providerErrors,
      '400': error('Bad input (`invalid_request`, `invalid_role`), or `provider_not_found`'),
      '409': error(
        '`seat_limit_exceeded` (`details.seats`, `details.requested`: the seats the rule needs now), `provider_not_connected` or `connection_unreadable`',
      ),
    },
  },
  {
    method: 'put',
    path: '/sync-rules/{id}',
    operationId: 'updateSyncRule',
    summary: 'Edit, pause or resume a rule (the whole rule)',
    auth: 'session',
    params: syncRuleParams,
    body: syncRuleInput,
    responses: {
      '200': ok(syncRule, 'Saved'),
      ...providerErrors,
      '400': error('Bad input (`invalid_request`, `invalid_role`), or `provider_not_found`'),
      '404': error('`sync_rule_not_found`'),
      '409': error('`seat_limit_exceeded`, `provider_not_connected` or `connection_unreadable`'),
    },
  },
  {
    method: 'delete',
    path: '/sync-rules/{id}',
    operationId: 'deleteSyncRule',
    summary: 'Delete a rule, its open updates and its runs; invites it sent stay',
    auth: 'session',
    params: syncRuleParams,
    responses: { '204': { description: 'Deleted' }, '404': error('`sync_rule_not_found`') },
  },
  {
    method: 'post',
    path: '/sync-rules/{id}/run',
    operationId: 'runSyncRule',
    summary: 'Sync now: refresh the directory and run the rule, in the background',
    auth: 'session',
    params: syncRuleParams,
    responses: {
      '202': ok(syncRunSummary, 'Started: poll the runs'),
      '404': error('`sync_rule_not_found`'),
      '409': error('`sync_run_in_progress`: a run of this rule is under way', ['Retry-After']),
    },
  },
  {
    method: 'get',
    path: '/sync-rules/{id}/runs',
    operationId: 'listSyncRuns',
    summary: "A rule's last 20 runs, newest first",
    auth: 'session',
    params: syncRuleParams,
    responses: { '200': ok(syncRunList), '404': error('`sync_rule_not_found`') },
  },
  {
    method: 'post',
    path: '/sync-rules/{id}/runs/{run}/approve',
    operationId: 'approveSyncRun',
    summary: 'Confirm a run the safeguard held: its leavers are treated as the rule says',
    auth: 'session',
    params: syncRunParams,
    responses: { '200': ok(syncRunSummary, 'Applied'), '404': error('`sync_rule_not_found` or `sync_run_not_found`'), '409': error('`sync_run_not_held`') },
  },
  {
    method: 'get',
    path: '/sync/updates',
    operationId: 'listSyncUpdates',
    summary: 'Updates: joiners, leavers and role changes waiting for an admin, with the seats',
    auth: 'session',
    query: syncUpdatesQuery,
    responses: { '200': ok(syncUpdateList) },
  },
  {
    method: 'post',
    path: '/sync/updates/approve',
    operationId: 'approveSyncUpdates',
    summary: "Approve updates: invite joiners (within the seats, like an import), revoke leavers' pending invites and report them, apply role changes",
    auth: 'session',
    body: syncUpdateAction,
    responses: { '200': ok(syncUpdateResult), '429': error('`rate_limited`, or `mail_limit`', ['Retry-After']) },
  },
  {
    method: 'post',
    path: '/sync/updates/dismiss',
    operationId: 'dismissSyncUpdates',
    summary: 'Dismiss updates; a dismissed one does not come back while nothing about the person changes',
    auth: 'session',
    body: syncUpdateAction,
    responses: { '200': ok(syncUpdateResult) },
  },
  {
    method: 'get',
    path: '/targets/{type}/{id}/sync-rules',
    operationId: 'listTargetSyncRules',
    summary: "For the host's backend: a target's sync rules, each with its last run",
    auth: 'apiKey',
    params: targetParams,
    responses: { '200': ok(syncRuleList), '404': error('`target_not_found`') },
  },
  {
    method: 'get',
    path: '/targets/{type}/{id}/sync-rules/{rule}/runs',
    operationId: 'listTargetSyncRuns',
    summary: "For the host's backend: a rule's last 20 runs",
    auth: 'apiKey',
    params: targetParams.extend({ rule: syncRuleParams.shape.id }),
    responses: { '200': ok(syncRunList), '404': error('`target_not_found` or `sync_rule_not_found`') },
  },
  {
    method: 'post',
    path: '/invites/lookup',
    operationId: 'lookUpInvite',
    summary:
      "What the email's invitation is for (target, role, inviter, status, expiry), without accepting it: the accept page asks before showing Accept. POST keeps the token out of access logs; rate limited with `/invites/accept`",
    body: acceptRequest,
    responses: {
      '200': ok(inviteLookup),
      '404': error('Unknown token (or one a newer email replaced)'),
    },
  },
  {
    method: 'post',
    path: '/invites/accept',
    operationId: 'acceptInvite',
    summary: "Accept an invite with the email's token",
    body: acceptRequest,
    responses: {
      '200': ok(acceptedInvite),
      '404': error('Unknown token'),
      '409': error('`seat_limit_exceeded`: the host lowered the limit below the seats taken'),
      '410': error('Already accepted, revoked or expired'),
    },
  },
  {
    method: 'post',
    path: '/organizations/{id}/scim-token',
    operationId: 'createScimToken',
    summary: "Create the organization's SCIM token, replacing (revoking) any earlier one: shown once, with the SCIM base URL",
    auth: 'apiKey',
    params: scimTokenParams,
    responses: {
      '201': ok(scimToken),
      '404': error('`organization_not_found`: no target belongs to it'),
      '409': error('`scim_not_configured`: the providers list has no scim provider'),
    },
  },
  {
    method: 'delete',
    path: '/organizations/{id}/scim-token',
    operationId: 'revokeScimToken',
    summary: "Revoke the organization's SCIM token (what it pushed stays)",
    auth: 'apiKey',
    params: scimTokenParams,
    responses: { '204': { description: 'Revoked' }, '404': error('`scim_token_not_found`') },
  },
  {
    method: 'get',
    path: '/scim/v2/ServiceProviderConfig',
    operationId: 'getScimServiceProviderConfig',
    summary: 'SCIM: what this service provider supports (RFC 7644 §4)',
    auth: 'scim',
    responses: { '200': scimOk(scimServiceProviderConfig) },
  },
  {
    method: 'get',
    path: '/scim/v2/Schemas',
    operationId: 'listScimSchemas',
    summary: 'SCIM: the User schema and its enterprise extension, with the attributes hr-import maps',
    auth: 'scim',
    responses: { '200': scimOk(scimDiscoveryList) },
  },
  {
    method: 'get',
    path: '/scim/v2/ResourceTypes',
    operationId: 'listScimResourceTypes',
    summary: 'SCIM: the one resource type, User',
    auth: 'scim',
    responses: { '200': scimOk(scimDiscoveryList) },
  },
  {
    method: 'get',
    path: '/scim/v2/Users',
    operationId: 'listScimUsers',
    summary: "SCIM: the organization's pushed users, paged by startIndex and count (at most 100), filtered by eq on userName, externalId or email",
    auth: 'scim',
    query: scimListQuery,
    responses: { '200': scimOk(scimUserList) },
  },
  {
    method: 'post',
    path: '/scim/v2/Users',
    operationId: 'createScimUser',
    summary: "SCIM: create a user; it joins the organization's directory at once",
    auth: 'scim',
    body: scimUser,
    responses: {
      '201': scimOk(scimUserResource, 'Created', ['Location', 'ETag']),
      '403': scimRefusal("The organization's directory holds its maximum of users"),
      '409': scimRefusal('`uniqueness`: the userName is taken'),
    },
  },
  {
    method: 'get',
    path: '/scim/v2/Users/{id}',
    operationId: 'getScimUser',
    summary: 'SCIM: one user',
    auth: 'scim',
    params: scimUserParams,
    responses: { '200': scimOk(scimUserResource, 'The user', ['ETag']) },
  },
  {
    method: 'put',
    path: '/scim/v2/Users/{id}',
    operationId: 'replaceScimUser',
    summary: 'SCIM: replace every attribute of a user',
    auth: 'scim',
    params: scimUserParams,
    body: scimUser,
    responses: { '200': scimOk(scimUserResource, 'Replaced', ['ETag']), '409': scimRefusal('`uniqueness`: the userName is taken') },
  },
  {
    method: 'patch',
    path: '/scim/v2/Users/{id}',
    operationId: 'patchScimUser',
    summary: "SCIM: add, replace or remove attributes (RFC 7644 §3.5.2; Entra's and Okta's forms); `active: false` makes the person inactive",
    auth: 'scim',
    params: scimUserParams,
    body: scimPatch,
    responses: { '200': scimOk(scimUserResource, 'Patched', ['ETag']), '409': scimRefusal('`uniqueness`: the userName is taken') },
  },
  {
    method: 'delete',
    path: '/scim/v2/Users/{id}',
    operationId: 'deleteScimUser',
    summary: "SCIM: remove a user from the organization's directory",
    auth: 'scim',
    params: scimUserParams,
    responses: { '204': { description: 'Deleted' } },
  },
  {
    method: 'get',
    path: '/scim/v2/Groups',
    operationId: 'listScimGroups',
    summary: 'SCIM: always empty (groups are not kept; writes to /Groups answer 501)',
    auth: 'scim',
    responses: { '200': scimOk(scimEmptyList) },
  },
];

const SCHEMA_REF = '#/components/schemas/';
const ref = (id: string): Schema => ({ $ref: `${SCHEMA_REF}${id}` });

/** A JSON Schema without the keys that only make sense for a standalone document. */
function bare(schema: unknown): Schema {
  const { $schema: _s, $id: _i, ...rest } = schema as Schema;
  return rest;
}

/** An inline JSON Schema of what a client sends (parameters). */
const inputSchema = (s: z.ZodType): Schema => bare(z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }));

/** Every named schema: answers as the BFF writes them, request bodies as clients send them. */
function componentSchemas(): Record<string, Schema> {
  const uri = (id: string) => `${SCHEMA_REF}${id}`;
  const answers = z.toJSONSchema(responseSchemas, { io: 'output', uri, unrepresentable: 'any' }).schemas;
  const requests = z.toJSONSchema(requestSchemas, { io: 'input', uri, unrepresentable: 'any' }).schemas;
  const all: Record<string, Schema> = {};
  for (const [id, s] of [...Object.entries(answers), ...Object.entries(requests)]) {
    if (all[id]) throw new Error(`Two contract schemas are named ${id}`);
    all[id] = bare(s);
  }
  return all;
}

/** The component a schema was named as; a shape without a name would be written out inline, which the contract does not allow. */
function named(registry: typeof responseSchemas, schema: z.ZodType, what: string): Schema {
  const id = registry.get(schema)?.id;
  if (!id) throw new Error(`${what} must be a named schema of bff/contract/`);
  return ref(id);
}

function parameters(where: 'path' | 'query', schema: z.ZodObject): Schema[] {
  const shape = inputSchema(schema) as { properties: Record<string, Schema>; required?: string[] };
  return Object.entries(shape.properties).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (shape.required ?? []).includes(name),
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
    schema: s,
  }));
}

function response(op: Operation, answer: Answer): Schema {
  const headers: ResponseHeader[] = ['X-Request-Id', ...(answer.headers ?? []), ...(op.idempotent ? (['Idempotent-Replayed'] as const) : [])];
  return {
    description: answer.description,
    headers: Object.fromEntries(headers.map((h) => [h, { $ref: `#/components/headers/${h}` }])),
    ...(answer.json
      ? {
          content: {
            [answer.scim ? 'application/scim+json' : 'application/json']: { schema: named(responseSchemas, answer.json, `${op.operationId}'s answer`) },
          },
        }
      : {}),
    ...(answer.html ? { content: { 'text/html': { schema: { type: 'string' } } } } : {}),
  };
}

function operation(op: Operation): Schema {
  const params = [
    ...(op.params ? parameters('path', op.params) : []),
    ...(op.query ? parameters('query', op.query) : []),
    ...(op.idempotent
      ? [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: true,
            schema: inputSchema(idempotencyKey),
            description: 'The same for every retry of one submission',
          },
        ]
      : []),
  ];
  const body =
    op.body === 'csv'
      ? { required: true, content: { 'text/csv': { schema: { type: 'string' } } } }
      : op.body
        ? {
            required: true,
            content: {
              [op.auth === 'scim' ? 'application/scim+json' : 'application/json']: { schema: named(requestSchemas, op.body, `${op.operationId}'s body`) },
            },
          }
        : undefined;
  const answers: Record<string, Answer> = {
    ...(op.auth === 'scim' ? scimCommon : common),
    ...(op.auth ? { '401': unauthorized[op.auth] } : {}),
    ...op.responses,
  };
  return {
    operationId: op.operationId,
    summary: op.summary,
    security: op.auth ? [{ [op.auth]: [] }] : [],
    ...(params.length ? { parameters: params } : {}),
    ...(body ? { requestBody: body } : {}),
    responses: Object.fromEntries(Object.entries(answers).map(([status, a]) => [status, response(op, a)])),
  };
}

export interface OpenApiOptions {
  /** Where the BFF's API is mounted (`/api` by default, `/hr/api` under a prefix): the document's one server. */
  basePath?: string;
}

export function openApiDocument({ basePath = '/api' }: OpenApiOptions = {}): Schema {
  const paths: Record<string, Record<string, Schema>> = {};
  for (const op of OPERATIONS) (paths[op.path] ??= {})[op.method] = operation(op);
  return {
    openapi: '3.1.0',
    info: {
      title: 'hr-import BFF',
      version: '1',
      description:
        'Import contacts from HR applications and invite them to an organization, lab or challenge. Errors are `{ error: { code, message, details? } }`, except under /scim/v2, which answers SCIM error bodies (RFC 7644 §3.12).',
    },
    servers: [{ url: basePath.replace(/\/+$/, '') || '/' }],
    components: {
      schemas: componentSchemas(),
      headers: HEADERS,
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'Server-to-server API key (HR_IMPORT_API_KEY; several during a rotation).' },
        session: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'Session token from POST /sessions, scoped to one inviter and one target.',
        },
        scim: {
          type: 'http',
          scheme: 'bearer',
          description: "An organization's SCIM token from POST /organizations/{id}/scim-token, pasted into its identity provider.",
        },
      },
    },
    paths,
  };
}
