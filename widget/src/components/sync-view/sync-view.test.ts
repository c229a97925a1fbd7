import { expect, fixture, html } from '@open-wc/testing';
import { waitUntil } from '../../test/wait.js';
import { sendKeys } from '@web/test-runner-commands';
import type { SyncRuleInput } from '../../api/types.js';
import { expectAccessible } from '../../test/axe.js';
import { FakeBff, TOKEN, makeInvite, makeRule, makeRun, makeUpdate } from '../../test/fake-bff/index.js';
import { allElements, choose, findByRole, getByRole, queryByRole, visibleText, waitForText } from '../../test/queries.js';
import '../../index.js';
import type { HrImport } from '../hr-import/hr-import.js';
// The element is loaded on first use; its tag's type comes with its module's.
import type {} from './sync-view.js';

const RULE = 'rule_0000000001';
let bff: FakeBff;

beforeEach(() => {
  bff = new FakeBff().install();
  bff.rules = [makeRule(1, { lastRun: makeRun(1, RULE, { skipped: [{ contactId: 'c031', name: 'Robin Milner', reason: 'seat_limit' }], skippedCount: 1 }) })];
  bff.runs.set(RULE, [bff.rules[0]!.lastRun!]);
  bff.updates = [
    makeUpdate(10, 'joiner'),
    makeUpdate(11, 'joiner', { role: 'admin' }),
    makeUpdate(12, 'joiner'),
    makeUpdate(13, 'leaver', { reason: 'terminated' }),
    makeUpdate(14, 'leaver', { reason: 'out_of_scope', membership: 'invited' }),
    makeUpdate(15, 'role_change'),
  ];
  bff.invites = [makeInvite(20), makeInvite(21)];
});

afterEach(() => {
  bff.uninstall();
});

async function mount(): Promise<HrImport> {
  const el = await fixture<HrImport>(html`<hr-import session-token=${TOKEN}></hr-import>`);
  await findByRole(el, 'checkbox', 'Select Radia Perlman');
  return el;
}

/** Nothing of the card is cut off or scrolls sideways. */
function expectNoOverflow(el: HrImport) {
  for (const e of allElements(el.shadowRoot!)) {
    if (e instanceof HTMLElement && e.clientWidth > 0 && getComputedStyle(e).overflowX !== 'visible') {
      expect(e.scrollWidth, `${e.localName}.${e.className} scrolls sideways`).to.be.at.most(e.clientWidth + 1);
    }
  }
  const card = el.shadowRoot!.querySelector('.card')!;
  expect(card.scrollWidth).to.be.at.most(card.clientWidth + 1);
}

const heading = (el: HrImport) => visibleText(el.shadowRoot!.getElementById('heading')!);
const actedOn = (action: 'approve' | 'dismiss') => (bff.requestsTo('POST', `/sync/updates/${action}`).at(-1)?.body as { ids: string[] } | undefined)?.ids;

describe('Updates: what the rules found', () => {
  it('opens on Updates when the target has rules, with each kind counted and explained', async () => {
    const el = await mount();
    expect(heading(el)).to.equal('Updates');
    expect(getByRole(el, 'button', 'Updates').getAttribute('aria-current')).to.equal('page');
    const text = visibleText(el);
    for (const part of [
      'All (6)',
      'Joiners (3)',
      'Leavers (2)',
      'Role changes (1)',
      'Joins: invite as Admin',
      'Left the company: a member until you remove them',
      'No longer in scope: their invitation is revoked',
      'Role: User → Admin',
    ]) {
      expect(text).to.include(part);
    }
    getByRole(el, 'button', 'Leavers (2)').click();
    await waitUntil(() => bff.requestsTo('GET', '/sync/updates').some((r) => r.url.searchParams.get('kind') === 'leaver'), 'no leavers asked for');
    await waitUntil(() => !queryByRole(el, 'checkbox', 'Select Radia Perlman'), 'joiners still listed');
    expect(getByRole(el, 'button', 'Leavers (2)').getAttribute('aria-pressed')).to.equal('true');
    await findByRole(el, 'checkbox', 'Select Tim Berners-Lee');
  });

  it('approves and dismisses one row, and the list and seats follow', async () => {
    const el = await mount();
    getByRole(el, 'button', 'Approve Radia Perlman').click();
    await waitForText(el, '1 approved. 1 invited.');
    expect(actedOn('approve')).to.deep.equal(['upd_0000000010']);
    await waitUntil(() => !queryByRole(el, 'checkbox', 'Select Radia Perlman'), 'approved row still listed');
    expect(visibleText(el)).to.include('11 of 50 seats used');
    getByRole(el, 'button', 'Dismiss Tim Berners-Lee').click();
    await waitForText(el, '1 dismissed.');
    expect(actedOn('dismiss')).to.deep.equal(['upd_0000000013']);
    await waitUntil(() => !queryByRole(el, 'checkbox', 'Select Tim Berners-Lee'), 'dismissed row still listed');
  });

  it('explains approving more joiners than seats, and shows who was left out', async () => {
    bff.seats = { limit: 50, used: 48, remaining: 2 };
    const el = await mount();
    getByRole(el, 'button', 'Joiners (3)').click();
    await waitUntil(() => !queryByRole(el, 'checkbox', 'Select Tim Berners-Lee'), 'leavers still listed');
    getByRole(el, 'checkbox', 'Select all shown').click();
    await waitForText(el, '3 joiners are selected and 2 seats are free: approving invites 2, the others stay here with the reason.');
    getByRole(el, 'button', 'Approve selected (3)').click();
    await waitForText(el, '2 approved. 2 invited. 1 left as they were: No seat left.');
    expect(actedOn('approve')).to.have.length(3);
    await findByRole(el, 'checkbox', 'Select Hedy Lamarr');
    expect(getByRole<HTMLInputElement>(el, 'checkbox', 'Select Hedy Lamarr').checked, 'the one left out stays ticked').to.be.true;
  });

  it('dismisses several at once, with the keyboard alone', async () => {
    const el = await mount();
    getByRole(el, 'checkbox', 'Select Radia Perlman').focus();
    await sendKeys({ press: 'Space' });
    await waitForText(el, 'Dismiss selected (1)');
    await sendKeys({ press: 'Tab' }); // its Approve
    await sendKeys({ press: 'Tab' }); // its Dismiss
    await sendKeys({ press: 'Tab' }); // the next row's checkbox
    await sendKeys({ press: 'Space' });
    await waitForText(el, 'Dismiss selected (2)');
    getByRole(el, 'button', 'Dismiss selected (2)').focus();
    await sendKeys({ press: 'Enter' });
    await waitForText(el, '2 dismissed.');
    expect(actedOn('dismiss')).to.deep.equal(['upd_0000000010', 'upd_0000000011']);
  });

  it('lists 200 at a time, and Show more reads the next page with the cursor and focuses its first row', async () => {
    bff.updates = Array.from({ length: 230 }, (_, i) => makeUpdate(10 + i, 'joiner'));
    const el = await mount();
    const more = await findByRole<HTMLButtonElement>(el, 'button', 'Show more (200 of 230 shown)');
    const rows = () => el.shadowRoot!.querySelector('hr-sync-view')!.shadowRoot!.querySelector('hr-sync-updates')!.shadowRoot!.querySelectorAll('.rows > li');
    expect(rows()).to.have.length(200);
    more.focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => rows().length === 230, 'the next page is not listed');
    expect(bff.requestsTo('GET', '/sync/updates').at(-1)!.url.searchParams.get('cursor')).to.equal('200');
    expect(queryByRole(el, 'button', /^Show more/)).to.be.null;
    const updates = el.shadowRoot!.querySelector('hr-sync-view')!.shadowRoot!.querySelector('hr-sync-updates')!;
    await waitUntil(() => updates.shadowRoot!.activeElement === rows()[200]!.querySelector('input'), 'focus is not on the first new row');
    await expectAccessible(el);
    // After an action both pages are read again: the rows the admin opened stay listed.
    getByRole(el, 'button', `Dismiss ${bff.updates[0]!.name}`).click();
    await waitForText(el, '1 dismissed.');
    await waitUntil(() => rows().length === 229, 'the list is not read again');
  });

  it('shows a held run first, with its message, and applies it on approval', async () => {
    const held = makeRun(2, RULE, {
      status: 'held',
      error: { code: 'leaver_threshold', message: '8 of 20 HR-linked members (40%) would leave: more than 20%.' },
    });
    bff.rules = [{ ...bff.rules[0]!, lastRun: held }];
    bff.runs.set(RULE, [held]);
    const el = await mount();
    const title = await findByRole(el, 'heading', 'A run is waiting for your approval');
    expect(visibleText(title.closest('section')!)).to.include('8 of 20 HR-linked members (40%) would leave');
    await expectAccessible(el);
    getByRole(el, 'button', 'Approve the held run').click();
    await waitUntil(() => !queryByRole(el, 'heading', 'A run is waiting for your approval'), 'held run still shown');
    expect(bff.requestsTo('POST', `/sync-rules/${RULE}/runs/${held.id}/approve`)).to.have.length(1);
  });

  it('has no axe violations', async () => {
    const el = await mount();
    await expectAccessible(el);
  });

  it('fits 320 px, and speaks German', async () => {
    const wrapper = await fixture<HTMLDivElement>(html`<div style="width: 320px"><hr-import session-token=${TOKEN} locale="de"></hr-import></div>`);
    const el = wrapper.querySelector('hr-import')!;
    await findByRole(el, 'checkbox', 'Radia Perlman auswählen', 5000);
    expect(visibleText(el.shadowRoot!.getElementById('heading')!)).to.equal('Änderungen');
    expect(visibleText(el)).to.include('Neue Personen (3)');
    expect(visibleText(el)).to.include('Hat das Unternehmen verlassen');
    expectNoOverflow(el);
    getByRole(el, 'button', 'Bearbeiten').click();
    await findByRole(el, 'heading', 'Wer synchron gehalten wird');
    getByRole(el, 'button', 'Rollenregel hinzufügen').click();
    await findByRole(el, 'textbox', 'Wert der Rollenregel 1');
    expectNoOverflow(el);
  });
});

describe('Updates: the rules', () => {
  it('says each rule in words with its last run, and why people were left out', async () => {
    const el = await mount();
    const text = visibleText(el);
    expect(text).to.include('Everyone in Engineering · Daily · new people wait for you (as User); leavers wait for you.');
    expect(text).to.include('10 in scope, 0 invited, 2 joiners waiting, 1 leavers, 1 role changes, 0 invitations revoked. 1 left out: No seat left (1).');
  });

  it('runs a rule now and waits for the run to end', async () => {
    bff.runReadsUntilDone = 3;
    const el = await mount();
    el.shadowRoot!.querySelector('hr-sync-view')!.pollMs = 10;
    getByRole(el, 'button', 'Sync now').click();
    await waitForText(el, '1 invited');
    expect(bff.requestsTo('POST', `/sync-rules/${RULE}/run`)).to.have.length(1);
    expect(bff.requestsTo('GET', `/sync-rules/${RULE}/runs`)).to.have.length(3);
    await waitUntil(() => !getByRole<HTMLButtonElement>(el, 'button', 'Sync now').disabled, 'Sync now stays disabled');
    getByRole(el, 'button', 'Recent runs').click();
    await waitUntil(() => visibleText(el).split('in scope').length > 3, 'recent runs not listed');
  });

  it('pauses, resumes and deletes (asked first)', async () => {
    const el = await mount();
    getByRole(el, 'button', 'Pause').click();
    await findByRole(el, 'button', 'Resume');
    expect((bff.requestsTo('PUT', `/sync-rules/${RULE}`)[0]!.body as SyncRuleInput).paused).to.be.true;
    expect(visibleText(el)).to.include('Paused.');
    expect(getByRole<HTMLButtonElement>(el, 'button', 'Sync now').disabled).to.be.true;
    getByRole(el, 'button', 'Resume').click();
    await findByRole(el, 'button', 'Pause');
    getByRole(el, 'button', 'Delete').click();
    await findByRole(el, 'button', 'Delete rule 1');
    expect(bff.requestsTo('DELETE', `/sync-rules/${RULE}`)).to.have.length(0);
    getByRole(el, 'button', 'Delete rule 1').click();
    await waitForText(el, 'No sync rules');
    expect(bff.requestsTo('DELETE', `/sync-rules/${RULE}`)).to.have.length(1);
  });

  it('edits a rule in the same panel, pre-filled, and saves it with PUT', async () => {
    const el = await mount();
    getByRole(el, 'button', 'Edit').click();
    await findByRole(el, 'heading', 'Who is kept in sync');
    await waitForText(el, 'Everyone in Engineering');
    const schedule = getByRole<HTMLSelectElement>(el, 'combobox', 'How often');
    expect(schedule.value).to.equal('24');
    choose(schedule, '1');
    const save = getByRole<HTMLButtonElement>(el, 'button', 'Save rule');
    await waitUntil(() => !save.disabled, 'Save stays disabled');
    save.click();
    await findByRole(el, 'heading', 'Sync rules');
    expect((bff.requestsTo('PUT', `/sync-rules/${RULE}`)[0]!.body as SyncRuleInput).intervalHours).to.equal(1);
    await waitForText(el, 'Everyone in Engineering · Hourly');
  });
});

describe('Updates: expired invites', () => {
  it('resends the selected ones at once, and says which were not resent and why', async () => {
    bff.seats = { limit: 50, used: 49, remaining: 1 };
    const el = await mount();
    await findByRole(el, 'checkbox', 'Select Guido van Rossum');
    getByRole(el, 'checkbox', 'Select all expired invites').click();
    const resend = await findByRole<HTMLButtonElement>(el, 'button', 'Resend (2)');
    resend.click();
    await waitForText(el, '1 resent. 1 not resent:');
    expect(visibleText(el)).to.include('Guido van Rossum: No seat left');
    expect(bff.requestsTo('POST', '/invites/resend')[0]!.body).to.deep.equal({ ids: ['inv_0000000020', 'inv_0000000021'] });
    await waitUntil(() => !queryByRole(el, 'checkbox', 'Select Shafi Goldwasser'), 'the resent invite is still listed');
    expect(getByRole<HTMLInputElement>(el, 'checkbox', 'Select Guido van Rossum').checked, 'the one not resent stays ticked').to.be.true;
  });
});
