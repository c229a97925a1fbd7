import type { Role, SessionInfo } from '../api/types.js';

/** A host-given label in the widget's language (a role's, a provider's name), else the default one. */
export const labelIn = (label: string, labels: Role['labels'], locale: string): string => labels?.[locale as keyof NonNullable<Role['labels']>] || label;

/** A role by its label among `roles` (already in the widget's language); its id when the target no longer has it. */
export function roleLabel(roles: readonly Role[], id: string | null): string {
  return roles.find((r) => r.id === id)?.label ?? id ?? '';
}

let last: [SessionInfo, string, SessionInfo] | undefined;

/**
 * The session with its roles labelled in `locale`, made once per session and language, so every
 * step, the review line and the confirmation read one set of labels (and Lit sees the same arrays
 * between renders).
 */
export function sessionIn(session: SessionInfo, locale: string): SessionInfo {
  if (last?.[0] !== session || last[1] !== locale) {
    const roles = session.target.roles.map((r) => ({ ...r, label: labelIn(r.label, r.labels, locale) }));
    last = [session, locale, { ...session, target: { ...session.target, roles } }];
  }
  return last[2];
}
