/**
 * The invite mail as an invitee reads it: the sentence with the inviter, target and role label,
 * the inviter's own message, a button to the accept link, the expiry, a footer; the same in the
 * plain-text part; every value from an HR system or an admin escaped; each language's frame.
 */
import { describe, expect, it } from 'vitest';
import { INVITE_LOCALES, type InviteLocale } from '../../contract/index.js';
import { INVITE_TEXTS } from '../invite-texts.js';
import { renderInvite, type InviteMail } from './message.js';

const URL = 'https://app.example/accept?token=abc_DEF-123';
const mail = (over: Partial<InviteMail> = {}): InviteMail => ({
  kind: 'invite',
  locale: 'en',
  subject: 'Join {{targetName}}',
  body: 'Hi {{firstName}},\n\nwelcome aboard.\nDana',
  values: { firstName: 'Ada', targetName: 'Protein Folding', inviterName: 'Dana Admin', acceptUrl: URL },
  inviterName: 'Dana Admin',
  targetType: 'lab',
  roleLabel: 'Reviewer',
  email: 'ada@example.com',
  expiresAt: '2026-12-01T12:00:00.000Z',
  ...over,
});

/** The HTML as a reader sees it: tags gone, entities read, whitespace collapsed. */
function visibleText(html: string): string {
  const body = html.replace(/^[\s\S]*<body[^>]*>/, '').replace(/<\/body>[\s\S]*$/, '');
  return body
    .replace(/<style[\s\S]*?<\/style>|<!--[\s\S]*?-->/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('the invite mail', () => {
  it('says who invited whom to what as which role, with the message, a button, the expiry and a footer', () => {
    const { subject, html } = renderInvite(mail());
    expect(subject).toBe('Join Protein Folding');
    const seen = visibleText(html);
    expect(seen).toContain('Dana Admin invited you to join the lab Protein Folding as Reviewer.');
    expect(seen).toContain('Hi Ada, welcome aboard. Dana');
    expect(seen).toContain('This invitation expires on Tuesday, December 1, 2026');
    expect(seen).toContain('You received this email because Dana Admin invited ada@example.com to Protein Folding.');
    // The button is a link to the accept page, labelled for what it does.
    expect(html).toMatch(new RegExp(`<a\\s+href="${URL.replace(/[?]/g, '\\?')}"[^>]*>\\s*Accept invitation\\s*</a>`));
    // The inviter's line breaks are kept.
    expect(html).toContain('Hi Ada,<br>\n<br>\nwelcome aboard.<br>\nDana');
    expect(html).toContain('<html lang="en"');
    expect(html).toContain('<title>Join Protein Folding</title>');
    expect(html).not.toMatch(/\{\{\w+\}\}/);
  });

  it('has a plain-text part with the same content', () => {
    const { text } = renderInvite(mail());
    expect(text).toBe(
      [
        'Dana Admin invited you to join the lab Protein Folding as Reviewer.',
        'Hi Ada,\n\nwelcome aboard.\nDana',
        `Accept invitation: ${URL}`,
        'This invitation expires on Tuesday, December 1, 2026 at 12:00 PM UTC.',
        '--\nYou received this email because Dana Admin invited ada@example.com to Protein Folding. If you did not expect it, you can ignore it: nothing happens unless you accept.',
      ].join('\n\n'),
    );
  });

  it('keeps names and messages from HR systems and admins as text', () => {
    const script = '<script>alert(1)</script>';
    const { html, text, subject } = renderInvite(
      mail({
        subject: `${script} {{firstName}}`,
        body: `<b onclick="x()">Hi</b> {{firstName}} {{acceptUrl}}`,
        values: { firstName: `<img src=x onerror="alert(1)">`, targetName: `"><script>alert(2)</script>`, inviterName: script, acceptUrl: URL },
        inviterName: script,
        roleLabel: '<i>Boss</i>',
        email: 'x@example.com',
      }),
    );
    expect(html).not.toMatch(/<script>alert|<img src=x|<b onclick|<i>Boss/);
    expect(html).toContain(
      '&lt;script&gt;alert(1)&lt;/script&gt; invited you to join the lab &quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt; as &lt;i&gt;Boss&lt;/i&gt;.',
    );
    expect(html).toContain('&lt;b onclick=&quot;x()&quot;&gt;Hi&lt;/b&gt; &lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    expect(html).toContain(`<title>&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=&quot;alert(1)&quot;&gt;</title>`);
    // The message's {{acceptUrl}} is the accept link too.
    expect(html).toContain(`<a href="${URL}">${URL}</a>`);
    // Plain text is literal.
    expect(subject).toBe(`${script} <img src=x onerror="alert(1)">`);
    expect(text).toContain(`${script} invited you to join the lab "><script>alert(2)</script> as <i>Boss</i>.`);
  });

  it('escapes a value that looks like a slot of the template, and never fills it', () => {
    const { html } = renderInvite(
      mail({ values: { firstName: '{{acceptUrl}}', targetName: '{{footer}}', inviterName: 'Dana', acceptUrl: URL }, inviterName: '{inviter}' }),
    );
    expect(visibleText(html)).toContain('{inviter} invited you to join the lab {{footer}} as Reviewer.');
  });

  it('names no sender for an invite no admin sent', () => {
    const { text } = renderInvite(mail({ inviterName: null }));
    expect(text).toMatch(/^You are invited to join the lab Protein Folding as Reviewer\./);
    expect(text).toContain('You received this email because ada@example.com was invited to Protein Folding.');
  });

  it('says it is a reminder in the subject and beside the expiry', () => {
    const { subject, text, html } = renderInvite(mail({ kind: 'reminder' }));
    expect(subject).toBe('Reminder: Join Protein Folding');
    expect(text).toContain('A reminder: this invitation expires on Tuesday, December 1, 2026 at 12:00 PM UTC.');
    expect(visibleText(html)).toContain('A reminder: this invitation expires on');
  });

  const EXPECTED: Record<Exclude<InviteLocale, 'en'>, { sentence: string; button: string; expiry: RegExp; reminder: string }> = {
    de: {
      sentence: 'Dana Admin hat Sie eingeladen, dem Labor Protein Folding als Reviewer beizutreten.',
      button: 'Einladung annehmen',
      expiry: /Diese Einladung gilt bis Dienstag, 1\. Dezember 2026 um 12:00 UTC\./,
      reminder: 'Erinnerung: Join Protein Folding',
    },
    fr: {
      sentence: 'Dana Admin vous invite à rejoindre le laboratoire Protein Folding en tant que Reviewer.',
      button: 'Accepter l’invitation',
      expiry: /Cette invitation expire le mardi 1 décembre 2026 (à )?12:00 UTC\./,
      reminder: 'Rappel : Join Protein Folding',
    },
    es: {
      sentence: 'Dana Admin te ha invitado a unirte al laboratorio Protein Folding como Reviewer.',
      button: 'Aceptar invitación',
      expiry: /Esta invitación caduca el martes, 1 de diciembre de 2026, 12:00 UTC\./,
      reminder: 'Recordatorio: Join Protein Folding',
    },
  };
  for (const locale of INVITE_LOCALES.filter((l) => l !== 'en') as (keyof typeof EXPECTED)[]) {
    it(`speaks ${locale}: sentence, button, date, footer and subject, the inviter's words left as written`, () => {
      const want = EXPECTED[locale];
      const { html, text } = renderInvite(mail({ locale }));
      const seen = visibleText(html);
      expect(html).toContain(`<html lang="${locale}"`);
      for (const part of [seen, text]) {
        expect(part).toContain(want.sentence);
        expect(part).toContain(want.button);
        expect(part).toMatch(want.expiry);
        expect(part).toContain(INVITE_TEXTS[locale].footer.split('{')[0]!.trim());
        expect(part).toContain('welcome aboard.');
        expect(part).not.toContain('Accept invitation');
      }
      expect(renderInvite(mail({ locale, kind: 'reminder' })).subject).toBe(want.reminder);
    });
  }
});
