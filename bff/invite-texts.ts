/**
 * Every fixed text an invitee reads, in each language of INVITE_LOCALES: the invite mail
 * (services/message.ts) and the accept page (demo/accept.ts, which bundles this module; so it
 * imports nothing at run time). `{name}` marks a value filled in by `fillText`; a test
 * (invite-texts.test.ts) fails when a locale lacks a text, leaves one in English, or drops a value.
 *
 * What the host and the admin write (target and role names, the inviter's subject and message)
 * stays in their words: only the frame around it is translated.
 */
import type { InviteLocale, TargetType } from '../contract/index.js';

export interface InviteTexts {
  /** The invitation in one sentence, by the kind of target (the words for it decline differently). */
  invited: Record<TargetType, string>;
  /** The same without an inviter: an invite no admin sent. */
  invitedNoInviter: Record<TargetType, string>;
  reminderSubject: string;
  button: string;
  linkHint: string;
  expires: string;
  reminderExpires: string;
  footer: string;
  footerNoInviter: string;
  /** The accept page. */
  pageTitle: string;
  looking: string;
  accepted: string;
  alreadyAccepted: string;
  expired: string;
  revoked: string;
  notFound: string;
  noToken: string;
  seatLimit: string;
  failed: string;
}

export const INVITE_TEXTS: Record<InviteLocale, InviteTexts> = {
  en: {
    invited: {
      organization: '{inviter} invited you to join the organization {target} as {role}.',
      lab: '{inviter} invited you to join the lab {target} as {role}.',
      challenge: '{inviter} invited you to join the challenge {target} as {role}.',
    },
    invitedNoInviter: {
      organization: 'You are invited to join the organization {target} as {role}.',
      lab: 'You are invited to join the lab {target} as {role}.',
      challenge: 'You are invited to join the challenge {target} as {role}.',
    },
    reminderSubject: 'Reminder: {subject}',
    button: 'Accept invitation',
    linkHint: 'If the button does not work, open this link:',
    expires: 'This invitation expires on {date}.',
    reminderExpires: 'A reminder: this invitation expires on {date}.',
    footer:
      'You received this email because {inviter} invited {email} to {target}. If you did not expect it, you can ignore it: nothing happens unless you accept.',
    footerNoInviter:
      'You received this email because {email} was invited to {target}. If you did not expect it, you can ignore it: nothing happens unless you accept.',
    pageTitle: 'Accept your invitation',
    looking: 'Looking up your invitation…',
    accepted: 'Welcome! You joined {target} as {role}.',
    alreadyAccepted: 'This invitation has already been accepted.',
    expired: 'This invitation has expired. Ask the person who invited you for a new one.',
    revoked: 'This invitation was withdrawn.',
    notFound: 'This invitation link is not valid. It may have been replaced by a newer email.',
    noToken: 'This link has no invitation in it. Open the link from your email again.',
    seatLimit: '{target} has no free seat right now. Ask its admin to free one, then open this link again.',
    failed: 'Something went wrong. Try again in a moment.',
  },
  de: {
    invited: {
      organization: '{inviter} hat Sie eingeladen, der Organisation {target} als {role} beizutreten.',
      lab: '{inviter} hat Sie eingeladen, dem Labor {target} als {role} beizutreten.',
      challenge: '{inviter} hat Sie eingeladen, am Wettbewerb {target} als {role} teilzunehmen.',
    },
    invitedNoInviter: {
      organization: 'Sie sind eingeladen, der Organisation {target} als {role} beizutreten.',
      lab: 'Sie sind eingeladen, dem Labor {target} als {role} beizutreten.',
      challenge: 'Sie sind eingeladen, am Wettbewerb {target} als {role} teilzunehmen.',
    },
    reminderSubject: 'Erinnerung: {subject}',
    button: 'Einladung annehmen',
    linkHint: 'Falls die Schaltfläche nicht funktioniert, öffnen Sie diesen Link:',
    expires: 'Diese Einladung gilt bis {date}.',
    reminderExpires: 'Zur Erinnerung: Diese Einladung gilt bis {date}.',
    footer:
      'Sie erhalten diese E-Mail, weil {inviter} {email} zu {target} eingeladen hat. Falls Sie sie nicht erwartet haben, können Sie sie ignorieren: Ohne Ihre Annahme geschieht nichts.',
    footerNoInviter:
      'Sie erhalten diese E-Mail, weil {email} zu {target} eingeladen wurde. Falls Sie sie nicht erwartet haben, können Sie sie ignorieren: Ohne Ihre Annahme geschieht nichts.',
    pageTitle: 'Einladung annehmen',
    looking: 'Ihre Einladung wird gesucht…',
    accepted: 'Willkommen! Sie sind jetzt Mitglied von {target} als {role}.',
    alreadyAccepted: 'Diese Einladung wurde bereits angenommen.',
    expired: 'Diese Einladung ist abgelaufen. Bitten Sie die Person, die Sie eingeladen hat, um eine neue.',
    revoked: 'Diese Einladung wurde zurückgezogen.',
    notFound: 'Dieser Einladungslink ist nicht gültig. Vielleicht wurde er durch eine neuere E-Mail ersetzt.',
    noToken: 'Dieser Link enthält keine Einladung. Öffnen Sie den Link aus Ihrer E-Mail erneut.',
    seatLimit: '{target} hat gerade keinen freien Platz. Bitten Sie die Verwaltung, einen freizugeben, und öffnen Sie diesen Link dann erneut.',
    failed: 'Etwas ist schiefgelaufen. Versuchen Sie es gleich noch einmal.',
  },
  fr: {
    invited: {
      organization: '{inviter} vous invite à rejoindre l’organisation {target} en tant que {role}.',
      lab: '{inviter} vous invite à rejoindre le laboratoire {target} en tant que {role}.',
      challenge: '{inviter} vous invite à participer au défi {target} en tant que {role}.',
    },
    invitedNoInviter: {
      organization: 'Vous êtes invité(e) à rejoindre l’organisation {target} en tant que {role}.',
      lab: 'Vous êtes invité(e) à rejoindre le laboratoire {target} en tant que {role}.',
      challenge: 'Vous êtes invité(e) à participer au défi {target} en tant que {role}.',
    },
    reminderSubject: 'Rappel : {subject}',
    button: 'Accepter l’invitation',
    linkHint: 'Si le bouton ne fonctionne pas, ouvrez ce lien :',
    expires: 'Cette invitation expire le {date}.',
    reminderExpires: 'Petit rappel : cette invitation expire le {date}.',
    footer:
      'Vous recevez cet e-mail parce que {inviter} a invité {email} à rejoindre {target}. Si vous ne vous y attendiez pas, ignorez-le : rien ne se passe tant que vous n’acceptez pas.',
    footerNoInviter:
      'Vous recevez cet e-mail parce que {email} a été invité(e) à rejoindre {target}. Si vous ne vous y attendiez pas, ignorez-le : rien ne se passe tant que vous n’acceptez pas.',
    pageTitle: 'Accepter votre invitation',
    looking: 'Recherche de votre invitation…',
    accepted: 'Bienvenue ! Vous avez rejoint {target} en tant que {role}.',
    alreadyAccepted: 'Cette invitation a déjà été acceptée.',
    expired: 'Cette invitation a expiré. Demandez-en une nouvelle à la personne qui vous a invité(e).',
    revoked: 'Cette invitation a été retirée.',
    notFound: 'Ce lien d’invitation n’est pas valide. Il a peut-être été remplacé par un e-mail plus récent.',
    noToken: 'Ce lien ne contient pas d’invitation. Rouvrez le lien de votre e-mail.',
    seatLimit: '{target} n’a plus de place libre pour le moment. Demandez à son administrateur d’en libérer une, puis rouvrez ce lien.',
    failed: 'Une erreur s’est produite. Réessayez dans un instant.',
  },
  es: {
    invited: {
      organization: '{inviter} te ha invitado a unirte a la organización {target} como {role}.',
      lab: '{inviter} te ha invitado a unirte al laboratorio {target} como {role}.',
      challenge: '{inviter} te ha invitado a participar en el desafío {target} como {role}.',
    },
    invitedNoInviter: {
      organization: 'Te han invitado a unirte a la organización {target} como {role}.',
      lab: 'Te han invitado a unirte al laboratorio {target} como {role}.',
      challenge: 'Te han invitado a participar en el desafío {target} como {role}.',
    },
    reminderSubject: 'Recordatorio: {subject}',
    button: 'Aceptar invitación',
    linkHint: 'Si el botón no funciona, abre este enlace:',
    expires: 'Esta invitación caduca el {date}.',
    reminderExpires: 'Recordatorio: esta invitación caduca el {date}.',
    footer:
      'Recibes este correo porque {inviter} invitó a {email} a unirse a {target}. Si no lo esperabas, puedes ignorarlo: no pasará nada a menos que aceptes.',
    footerNoInviter:
      'Recibes este correo porque {email} ha sido invitado a unirse a {target}. Si no lo esperabas, puedes ignorarlo: no pasará nada a menos que aceptes.',
    pageTitle: 'Acepta tu invitación',
    looking: 'Buscando tu invitación…',
    accepted: '¡Te damos la bienvenida! Te has unido a {target} como {role}.',
    alreadyAccepted: 'Esta invitación ya se aceptó.',
    expired: 'Esta invitación ha caducado. Pide una nueva a la persona que te invitó.',
    revoked: 'Esta invitación se ha retirado.',
    notFound: 'Este enlace de invitación no es válido. Puede que lo haya sustituido un correo más reciente.',
    noToken: 'Este enlace no contiene ninguna invitación. Vuelve a abrir el enlace de tu correo.',
    seatLimit: '{target} no tiene plazas libres ahora mismo. Pide a su administrador que libere una y vuelve a abrir este enlace.',
    failed: 'Algo ha salido mal. Inténtalo de nuevo en un momento.',
  },
};

/** `{name}` in a text replaced by its value, in one pass: a value holding `{x}` stays as it is. */
export function fillText(text: string, values: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/** The supported locale that best matches BCP 47 tags in order of preference (`de-CH` → `de`), else English. */
export function matchInviteLocale(tags: readonly (string | null | undefined)[]): InviteLocale {
  const locales = Object.keys(INVITE_TEXTS) as InviteLocale[];
  for (const tag of tags) {
    const base = tag?.trim().toLowerCase().split(/[-_]/)[0];
    const found = locales.find((l) => l === base);
    if (found) return found;
  }
  return 'en';
}

/**
 * A moment as readers of `locale` write it, with the time. The mail says it in UTC, the invitee's
 * time zone being unknown; the accept page in the browser's own (timeZone left out).
 */
export function formatMoment(locale: InviteLocale, iso: string, timeZone?: 'UTC'): string {
  const key = `${locale} ${timeZone ?? ''}`;
  let format = momentFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short', ...(timeZone ? { timeZone } : {}) });
    momentFormats.set(key, format);
  }
  const formatted = format.format(new Date(iso));
  return timeZone ? `${formatted} UTC` : formatted;
}

/**
 * Formatters by locale and time zone: making one costs far more than formatting with it, and an
 * import of 10,000 people formats an expiry per mail (a third of its rendering, made anew each time).
 */
const momentFormats = new Map<string, Intl.DateTimeFormat>();
