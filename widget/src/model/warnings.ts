/**
 * The selected people an import should warn of before it invites them: who left the company, and
 * whose address another person of the directory has too (the invite may reach that person). Apart
 * from selection.ts: only the review (a later step's chunk) needs it, not the first load.
 */
import type { Contact } from '../api/types.js';
import { isSelected, matchesRule, type Selection } from './selection.js';

export const hasLeft = (contact: Contact): boolean => contact.status === 'inactive';

export const needsWarning = (contact: Contact): boolean => hasLeft(contact) || contact.sharedEmail;

/** Of `candidates` (the loaded contacts, and a Select All's flagged people from the BFF), the selected ones to warn of, each once. */
export function flaggedSelected(selection: Selection, candidates: Iterable<Contact>): Contact[] {
  const found = new Map<string, Contact>();
  for (const contact of candidates) if (needsWarning(contact) && isSelected(selection, contact)) found.set(contact.id, contact);
  return [...found.values()];
}

/**
 * The selection without `contacts`: an exception of the rule for its people, else unticked.
 * `withContact` one by one would copy the sets once per person, thousands of times for a rule.
 */
export function withoutContacts(selection: Selection, contacts: readonly Contact[]): Selection {
  const rule = selection.rule;
  const ids = new Set(selection.ids);
  const except = new Set(rule?.except);
  for (const contact of contacts) {
    if (rule && matchesRule(rule, contact)) except.add(contact.id);
    else ids.delete(contact.id);
  }
  return { ids, rule: rule && { ...rule, except } };
}
