/**
 * The BFF contract's types under their own names, from the TypeScript generated from its OpenAPI
 * document (contract/openapi-types.ts, written by `npm run contract`). Types only: nothing here
 * reaches the bundle, and the widget needs neither bff/ nor zod.
 */
import type { components, paths } from '../../../contract/openapi-types.js';

type Schemas = components['schemas'];
// The shapes a host meets (event details, the exported types) are interfaces, so that editors
// and compiler messages name them ("ImportResult") instead of spelling out their fields.

/** The JSON body of an operation's successful answer (2xx). */
export type Answer<P extends keyof paths, M extends 'get' | 'post' | 'put' | 'delete'> = paths[P][M] extends { responses: infer R }
  ? { [S in keyof R]: S extends 200 | 201 | 202 ? (R[S] extends { content: { 'application/json': infer B } } ? B : never) : never }[keyof R]
  : never;

/** The query of an operation, as the BFF reads it. */
export type Query<P extends keyof paths, M extends 'get'> = NonNullable<paths[P][M] extends { parameters: { query?: infer Q } } ? Q : never>;

export type ErrorBody = Schemas['ErrorBody'];
type RoleShape = Schemas['Role'];
export interface Role extends RoleShape {}
type SeatsShape = Schemas['Seats'];
export interface Seats extends SeatsShape {}
export type SessionInfo = Schemas['SessionInfo'];
export type TargetType = SessionInfo['target']['type'];
export type ConnectionState = Schemas['ConnectionState'];
export type CredentialField = Schemas['CredentialField'];
type ProviderInfoShape = Schemas['ProviderInfo'];
export interface ProviderInfo extends ProviderInfoShape {}
export type ProviderList = Schemas['ProviderList'];
export type RefreshStatus = Schemas['RefreshStatus'];
export type ConnectionInfo = Schemas['ConnectionInfo'];
export type ConnectionTest = Schemas['ConnectionTest'];
export type OAuthStart = Schemas['OAuthStart'];
export type OAuthResultMessage = Schemas['OAuthResultMessage'];
type ContactShape = Schemas['Contact'];
export interface Contact extends ContactShape {}
export type Membership = Contact['membership'];
type ContactPageShape = Schemas['ContactPage'];
export interface ContactPage extends ContactPageShape {}
type ContactFacetsShape = Schemas['ContactFacets'];
export interface ContactFacets extends ContactFacetsShape {}
export type ContactFilters = Schemas['ContactFilters'];
export type ImportRequest = Schemas['ImportRequest'];
export type AcceptedInvite = Schemas['AcceptedInvite'];
/** What the accept page shows before the invitee accepts (`POST /invites/lookup`). */
export type InviteLookup = Schemas['InviteLookup'];
type ImportResultShape = Schemas['ImportResult'];
export interface ImportResult extends ImportResultShape {}
export type SkipReason = Schemas['SkipReason'];
export type CsvColumnMapping = Schemas['CsvColumnMapping'];
export type CsvContactField = keyof CsvColumnMapping;
export type CsvCounts = Schemas['CsvCounts'];
export type CsvUploadPreview = Schemas['CsvUploadPreview'];
export type CsvUploadConfirmation = Schemas['CsvUploadConfirmation'];
type InviteSummaryShape = Schemas['InviteSummary'];
export interface InviteSummary extends InviteSummaryShape {}
export type InviteResendResult = Schemas['InviteResendResult'];
export type SyncScope = Schemas['SyncScope'];
export type SyncCondition = Schemas['SyncCondition'];
export type SyncField = SyncCondition['field'];
export type RoleRule = Schemas['RoleRule'];
export type SyncRuleInput = Schemas['SyncRuleInput'];
type SyncRuleShape = Schemas['SyncRule'];
export interface SyncRule extends SyncRuleShape {}
type SyncRunShape = Schemas['SyncRun'];
export interface SyncRun extends SyncRunShape {}
export type SyncDryRun = Schemas['SyncDryRun'];
type SyncUpdateShape = Schemas['SyncUpdate'];
export interface SyncUpdate extends SyncUpdateShape {}
export type SyncUpdateKind = SyncUpdate['kind'];
export type SyncUpdateList = Schemas['SyncUpdateList'];
export type SyncUpdateResult = Schemas['SyncUpdateResult'];

// Were the generated answers ever to stop resolving (a \`never\`), every client method would accept
// anything; these fail tsc instead.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
export type ContractTypesResolve = [
  Expect<Equal<Answer<'/session', 'get'>, SessionInfo>>,
  Expect<Equal<Answer<'/providers/{provider}/refresh', 'post'>, RefreshStatus>>,
  Expect<Equal<Query<'/invites', 'get'>['status'], 'pending' | 'accepted' | 'revoked' | 'expired' | undefined>>,
  Expect<Equal<Answer<'/sync/updates', 'get'>, SyncUpdateList>>,
];
