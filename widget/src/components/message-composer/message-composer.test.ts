import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { HrMessageChangeEvent } from '../../events/internal.js';
import { BODY_MAX, SUBJECT_MAX } from '../../model/message.js';
import { expectAccessible } from '../../test/axe.js';
import { makeContact } from '../../test/fake-bff/index.js';
import { allElements, getByRole, visibleText } from '../../test/queries.js';
import { HrMessageComposer } from './message-composer.js';

function mount(contact = makeContact(0)) {
  return fixture<HrMessageComposer>(html`<hr-message-composer .contact=${contact} target-name="Acme Labs" inviter-name="Iris Inviter"></hr-message-composer>`);
}

const preview = (el: HrMessageComposer) => visibleText([...allElements(el)].find((e) => e.getAttribute('part') === 'preview')!);

describe('hr-message-composer', () => {
  it('starts with the default subject and body and previews them for the contact', async () => {
    const el = await mount();
    expect(getByRole<HTMLInputElement>(el, 'textbox', 'Subject').value).to.equal('Join {{targetName}}');
    expect(getByRole<HTMLTextAreaElement>(el, 'textbox', 'Message').value).to.match(/^Hi \{\{firstName\}\},/);
    expect(preview(el)).to.equal(
      'Preview for Ada Lovelace Join Acme Labs Hi Ada, Iris Inviter has invited you to join Acme Labs. Follow the link in this email to accept.',
    );
  });

  it('updates the preview and the counter as the admin types', async () => {
    const el = await mount();
    const events: HrMessageChangeEvent[] = [];
    el.addEventListener('hr-message-change', (e) => events.push(e));
    const subject = getByRole<HTMLInputElement>(el, 'textbox', 'Subject');
    subject.focus();
    subject.select();
    await sendKeys({ type: 'Hello {{firstName}} from {{inviterName}}' });
    await el.updateComplete;
    expect(preview(el)).to.include('Hello Ada from Iris Inviter');
    expect(visibleText(el)).to.include(`40 / ${SUBJECT_MAX}`);
    expect(events.at(-1)!.subject).to.equal('Hello {{firstName}} from {{inviterName}}');
  });

  it('limits the subject to 200 and the message to 5000 characters', async () => {
    const el = await mount();
    expect(getByRole<HTMLInputElement>(el, 'textbox', 'Subject').maxLength).to.equal(SUBJECT_MAX);
    expect(getByRole<HTMLTextAreaElement>(el, 'textbox', 'Message').maxLength).to.equal(BODY_MAX);
  });

  it('inserts a placeholder at the cursor of the field last used', async () => {
    const el = await mount();
    const subject = getByRole<HTMLInputElement>(el, 'textbox', 'Subject');
    subject.focus();
    subject.setSelectionRange(4, 4); // "Join| {{targetName}}"
    getByRole(el, 'button', 'Insert {{inviterName}}').click();
    await el.updateComplete;
    expect(subject.value).to.equal('Join{{inviterName}} {{targetName}}');
    expect(subject.selectionStart).to.equal(4 + '{{inviterName}}'.length);

    const body = getByRole<HTMLTextAreaElement>(el, 'textbox', 'Message');
    body.focus();
    body.setSelectionRange(0, 0);
    getByRole(el, 'button', 'Insert {{firstName}}').click();
    await el.updateComplete;
    expect(body.value.startsWith('{{firstName}}Hi {{firstName}},')).to.be.true;
  });

  it('renders an untrusted name as text', async () => {
    const evil = '<img src=x onerror="window.__composerPwned=1"><b>bold</b>';
    const el = await mount(makeContact(0, { firstName: evil, displayName: evil }));
    expect(preview(el)).to.include(`Hi ${evil},`);
    expect([...allElements(el)].some((e) => e.localName === 'img' || e.localName === 'b')).to.be.false;
    expect((window as unknown as { __composerPwned?: number }).__composerPwned).to.be.undefined;
  });

  it('has no axe violations', async () => {
    await expectAccessible(await mount());
  });
});
