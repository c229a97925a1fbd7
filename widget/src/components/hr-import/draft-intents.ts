import {
  HrContactsLoadedEvent,
  HrMessageChangeEvent,
  HrProviderSelectEvent,
  HrQueryChangeEvent,
  HrRoleChangeEvent,
  HrSelectionChangeEvent,
} from '../../events/internal.js';
import { HrRefreshReadyEvent } from '../refresh-progress/refresh-progress.js';
import { withContacts, withDirectory, withMessage, withProvider, withQuery, withRoles, withSelection, type ImportDraft } from '../../model/import-draft.js';

/** What the steps' parts ask of the draft. */
export type DraftIntent =
  HrProviderSelectEvent | HrRefreshReadyEvent | HrQueryChangeEvent | HrSelectionChangeEvent | HrContactsLoadedEvent | HrRoleChangeEvent | HrMessageChangeEvent;

/** The draft after one of its parts' intents; the one place the draft changes. */
export function applyIntent(draft: ImportDraft, intent: DraftIntent): ImportDraft {
  if (intent instanceof HrProviderSelectEvent) return withProvider(draft, intent.provider, intent.fresh);
  if (intent instanceof HrRefreshReadyEvent) return withDirectory(draft, intent.status.syncedAt);
  if (intent instanceof HrQueryChangeEvent) return withQuery(draft, intent.query);
  if (intent instanceof HrSelectionChangeEvent) return withSelection(draft, intent.selection);
  if (intent instanceof HrContactsLoadedEvent) return withContacts(draft, intent.contacts);
  if (intent instanceof HrRoleChangeEvent) return withRoles(draft, intent.role, intent.overrides);
  return withMessage(draft, intent.subject, intent.body);
}
