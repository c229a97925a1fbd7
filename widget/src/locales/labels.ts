import type { Role, SessionInfo } from '../api/types.js';

type Labelled = Pick<Role, 'label' | 'labels'>;

/** A host-given label in the widget's language, else the default one. */
export const labelIn = (item: Labelled, locale: string): string => item.labels?.[locale as keyof NonNullable<Role['labels']>] || item.label;

const localized = new WeakMap<SessionInfo, Map<string, SessionInfo>>();

/**
 * The session with its roles labelled in `locale`, made once per session and language, so every
 * step, the review line and the confirmation read one set of labels (and Lit sees the same arrays
 * between renders).
 */
export function sessionIn(session: SessionInfo, locale: string): SessionInfo {
  let byLocale = localized.get(session);
  if (!byLocale) localized.set(session, (byLocale = new Map()));
  let made = byLocale.get(locale);
  if (!made) {
    const roles = session.target.roles.map((r) => ({ ...r, label: labelIn(r, locale) }));
    made = { ...session, target: { ...session.target, roles } };
    byLocale.set(locale, made);
  }
  return made;
}
