import { expect, fixture, html } from '@open-wc/testing';
import { waitUntil } from '../../test/wait.js';
import { sendKeys } from '@web/test-runner-commands';
import type { SyncRuleInput } from '../../api/types.js';
import { expectAccessible } from '../../test/axe.js';
import { FakeBff, TOKEN, errorResponse } from '../../test/fake-bff/index.js';
import { allElements, choose, findByRole, getByLabel, getByRole, queryByRole, visibleText, waitForText } from '../../test/queries.js';
import '../../index.js';
import type { HrImport } from '../hr-import/hr-import.js';

let bff: FakeBff;

beforeEach(() => {
  bff = new FakeBff().install();
});

afterEach(() => {
  bff.uninstall();
});

const mount = () => fixture<HrImport>(html`<hr-import session-token=${TOKEN}></hr-import>`);

const heading = (el: HrImport) => visibleText(el.shadowRoot!.getElementById('heading')!);

/** The flow up to the roles step with Engineering (10 people, 9 with an email) in the list and Ada ticked. */
async function toRolesWithEngineering(el: HrImport) {
  (await findByRole(el, 'button', 'Sample directory')).click();
  await findByRole(el, 'checkbox', 'Select Ada Lovelace');
  await pick(el, 'Department', 'Engineering');
  await waitUntil(() => bff.contactRequests().at(-1)?.url.searchParams.get('department') === 'Engineering', 'no request for Engineering');
  (await findByRole(el, 'checkbox', 'Select Ada Lovelace')).click();
  await next(el);
  await findByRole(el, 'combobox', 'Invite all selected users as');
}

/** Picks a filter's option once the facets have listed it. */
async function pick(el: HrImport, label: string, value: string) {
  const select = getByRole<HTMLSelectElement>(el, 'combobox', label);
  await waitUntil(() => [...select.options].some((o) => o.value === value), `no option ${value} in ${label}`);
  choose(select, value);
}

/** Next, once the selection has enabled it. */
async function next(el: HrImport) {
  const button = getByRole<HTMLButtonElement>(el, 'button', 'Next');
  await waitUntil(() => !button.disabled, 'Next stays disabled');
  button.click();
}

async function openKeepInSync(el: HrImport) {
  (await findByRole(el, 'button', 'Keep in sync')).click();
  await findByRole(el, 'heading', 'Who is kept in sync');
}

const savedRule = () => bff.requestsTo('POST', '/sync-rules').at(-1)?.body as SyncRuleInput | undefined;

describe('Keep in sync: a rule from the flow', () => {
  it('says who the rule covers, dry-runs it with the role rules and saves it', async () => {
    const el = await mount();
    await toRolesWithEngineering(el);
    choose(getByRole<HTMLSelectElement>(el, 'combobox', 'Invite all selected users as'), 'viewer');
    await openKeepInSync(el);
    expect(heading(el)).to.equal('Keep in sync');
    await waitForText(el, 'Everyone in Engineering');
    await waitForText(el, '10match the rule');
    expect(visibleText(el)).to.include('9would wait for you to invite');
    expect(visibleText(el)).to.include('9 as Viewer');
    expect(visibleText(el)).to.include('1 have no email address');
    expect(visibleText(el)).to.include('Needs 9 seats; 40 are free.');

    getByRole(el, 'button', 'Add a role rule').click();
    choose(await findByRole<HTMLSelectElement>(el, 'combobox', 'Field of role rule 1'), 'title');
    const value = getByRole<HTMLInputElement>(el, 'textbox', 'Value of role rule 1');
    value.value = 'Engineer';
    value.dispatchEvent(new Event('change'));
    choose(getByRole<HTMLSelectElement>(el, 'combobox', 'Role given by role rule 1'), 'admin');
    await waitForText(el, '4 as Admin');
    expect(visibleText(el)).to.include('5 as Viewer');
    expect(visibleText(el)).to.include('The first role rule that matches gives the role');

    getByLabel(el, 'Invite automatically').click();
    getByLabel(el, 'Report to the workspace').click();
    choose(getByRole<HTMLSelectElement>(el, 'combobox', 'How often'), '6');
    await waitForText(el, '9would be invited now');
    const save = getByRole<HTMLButtonElement>(el, 'button', 'Save rule');
    await waitUntil(() => !save.disabled, 'Save stays disabled');
    save.click();
    await waitForText(el, 'Keep in sync is on.');
    expect(savedRule()).to.deep.equal({
      provider: 'sample',
      scope: { filters: { department: 'Engineering' } },
      roleRules: [{ conditions: [{ field: 'title', operator: 'is', value: 'Engineer' }], role: 'admin' }],
      defaultRole: 'viewer',
      message: savedRule()!.message,
      joiners: 'auto',
      leavers: 'report',
      intervalHours: 6,
      leaverThresholdPercent: 20,
      paused: false,
      // The runs' invite mail speaks the admin's language, as an import's does.
      locale: 'en',
    });
    expect(savedRule()!.message.subject).to.equal('Join {{targetName}}');

    (await findByRole(el, 'button', 'Go to Updates')).click();
    await waitUntil(() => heading(el) === 'Updates', 'not on Updates');
    expect(getByRole(el, 'button', 'Updates').getAttribute('aria-current')).to.equal('page');
    await findByRole(el, 'heading', 'Rule 1');
    expect(visibleText(el)).to.include(
      'Everyone in Engineering · Every 6 hours · new people are invited as Viewer automatically; leavers are reported to the workspace.',
    );
    getByRole(el, 'button', 'Import contacts').click();
    await waitUntil(() => heading(el) === 'Choose an HR application', `not on the picker: ${heading(el)}`);
  });

  it('says the search and filters in words', async () => {
    const el = await mount();
    (await findByRole(el, 'button', 'Sample directory')).click();
    await findByRole(el, 'checkbox', 'Select Ada Lovelace');
    await pick(el, 'Department', 'Engineering');
    await pick(el, 'Location', 'Berlin');
    (await findByRole(el, 'searchbox', 'Search contacts')).focus();
    await sendKeys({ type: 'engineer' });
    await waitUntil(() => bff.contactRequests().at(-1)?.url.searchParams.get('search') === 'engineer');
    (await findByRole(el, 'checkbox', 'Select Ken Thompson')).click();
    await next(el);
    await openKeepInSync(el);
    await waitForText(el, 'Everyone in Engineering, Berlin, matching “engineer”');
    await waitForText(el, '5match the rule');
  });

  it('refuses to save a rule that needs more seats than are free, and says why', async () => {
    bff.seats = { limit: 50, used: 45, remaining: 5 };
    const el = await mount();
    await toRolesWithEngineering(el);
    await openKeepInSync(el);
    const reason = 'This rule needs 9 seats now; 5 are free.';
    await waitForText(el, reason);
    const save = getByRole<HTMLButtonElement>(el, 'button', 'Save rule');
    expect(save.disabled).to.be.true;
    const described = save.getRootNode() as ShadowRoot;
    expect(visibleText(described.getElementById(save.getAttribute('aria-describedby')!)!)).to.include(reason);
    expect(visibleText(el)).to.include('5 of 50 seats used'.replace('5 of', '45 of'));
    expect(bff.requestsTo('POST', '/sync-rules')).to.have.length(0);
  });

  it('shows the seats the server says the rule needs when it refuses it', async () => {
    bff.on('POST /sync-rules', () =>
      errorResponse(409, 'seat_limit_exceeded', 'Not enough seats', { seats: { limit: 50, used: 47, remaining: 3 }, requested: 12 }),
    );
    const el = await mount();
    await toRolesWithEngineering(el);
    await openKeepInSync(el);
    const save = getByRole<HTMLButtonElement>(el, 'button', 'Save rule');
    await waitUntil(() => !save.disabled);
    save.click();
    const alert = await findByRole(el, 'alert');
    expect(visibleText(alert)).to.include('Not enough seats. This rule needs 12 seats now; 3 are free.');
  });

  it('aborts the previous dry run when the rule changes', async () => {
    const el = await mount();
    await toRolesWithEngineering(el);
    bff.hang('POST /sync-rules/dry-run');
    await openKeepInSync(el);
    await waitUntil(() => bff.requestsTo('POST', '/sync-rules/dry-run').length === 1);
    choose(getByRole<HTMLSelectElement>(el, 'combobox', 'How often'), '168');
    await waitUntil(() => bff.requestsTo('POST', '/sync-rules/dry-run').length === 2);
    expect((bff.requestsTo('POST', '/sync-rules/dry-run')[1]!.body as SyncRuleInput).intervalHours).to.equal(168);
    expect(getByRole<HTMLButtonElement>(el, 'button', 'Save rule').disabled).to.be.true;
    expect(visibleText(el)).to.include('Checking the rule…');
  });

  it('is reached and left with the keyboard: focus moves in, Escape goes back to the step it came from', async () => {
    const el = await mount();
    await toRolesWithEngineering(el);
    await openKeepInSync(el);
    const editor = el.shadowRoot!.querySelector('hr-sync-rule-editor')!;
    await waitUntil(() => editor.shadowRoot!.activeElement?.id === 'scope-heading', 'focus did not move into the panel');
    await sendKeys({ press: 'Tab' });
    expect(editor.shadowRoot!.querySelector('hr-manager-picker')!.shadowRoot!.activeElement?.id).to.equal('manager-search');
    await sendKeys({ press: 'Tab' });
    expect(editor.shadowRoot!.activeElement?.id).to.equal('default-role');
    await sendKeys({ press: 'Escape' });
    await waitUntil(() => heading(el) === 'Assign roles');
    expect(queryByRole(el, 'heading', 'Who is kept in sync')).to.be.null;
  });

  it('offers Keep in sync on the message step too, and has no axe violations', async () => {
    const el = await mount();
    await toRolesWithEngineering(el);
    await next(el);
    await findByRole(el, 'textbox', 'Subject');
    await openKeepInSync(el);
    // The dry run's result before the rule is added: with an empty role rule the editor does not show one.
    await waitForText(el, '9would wait for you to invite');
    getByRole(el, 'button', 'Add a role rule').click();
    await findByRole(el, 'combobox', 'Field of role rule 1');
    await expectAccessible(el);
    getByRole(el, 'button', 'Back').click();
    await waitUntil(() => heading(el) === 'Write the invitation');
  });

  it('renders names from HR as text, never as HTML', async () => {
    bff.contacts[0]!.department = '<img src=x onerror=alert(1)>';
    const el = await mount();
    (await findByRole(el, 'button', 'Sample directory')).click();
    await findByRole(el, 'checkbox', 'Select Ada Lovelace');
    await pick(el, 'Department', '<img src=x onerror=alert(1)>');
    (await findByRole(el, 'checkbox', 'Select Ada Lovelace')).click();
    await next(el);
    await openKeepInSync(el);
    await waitForText(el, 'Everyone in <img src=x onerror=alert(1)>');
    expect([...allElements(el)].some((e) => e.localName === 'img')).to.be.false;
  });
});

/** Ada Lovelace (c001) manages Edsger Dijkstra (c004, no email) and c007 directly, and c010 through c007: all in Engineering. */
function giveAdaReports() {
  const byId = (id: string) => bff.contacts.find((c) => c.id === id)!;
  byId('c004').managerId = 'c001';
  byId('c007').managerId = 'c001';
  byId('c010').managerId = 'c007';
}

const editorOf = (el: HrImport) => el.shadowRoot!.querySelector('hr-sync-rule-editor')!;
const dryRuns = () => bff.requestsTo('POST', '/sync-rules/dry-run').map((r) => r.body as SyncRuleInput);

describe('Keep in sync: only people who report to a manager', () => {
  it('finds the manager through the directory, dry-runs with them and saves reportsTo', async () => {
    giveAdaReports();
    const el = await mount();
    await toRolesWithEngineering(el);
    await openKeepInSync(el);
    await waitForText(el, '10match the rule');
    const editor = editorOf(el);
    (await findByRole(editor, 'searchbox', 'Only people who report to…')).focus();
    await sendKeys({ type: 'Ada' });
    // Searched for what was typed, a short list: "Ad" may already list Ada, so wait for "Ada" itself.
    await waitUntil(() => bff.contactRequests().at(-1)?.url.searchParams.get('search') === 'Ada', 'no search for Ada');
    expect(Number(bff.contactRequests().at(-1)!.url.searchParams.get('limit'))).to.be.at.most(10);
    (await findByRole(editor, 'button', /^Ada Lovelace/)).click();

    await waitForText(el, 'Everyone in Engineering, reporting to Ada Lovelace (directly)');
    await waitForText(el, '2match the rule');
    expect(visibleText(el)).to.include('1would wait for you to invite');
    expect(dryRuns().at(-1)!.scope.reportsTo).to.deep.equal({ contactId: 'c001', indirect: false });

    getByLabel(editor, "Include their reports' reports (everyone below them)").click();
    await waitForText(el, 'Everyone in Engineering, reporting to Ada Lovelace (at any level)');
    await waitForText(el, '3match the rule');
    expect(visibleText(el)).to.include('2would wait for you to invite');
    await expectAccessible(el);

    const save = getByRole<HTMLButtonElement>(el, 'button', 'Save rule');
    await waitUntil(() => !save.disabled, 'Save stays disabled');
    save.click();
    await waitForText(el, 'Keep in sync is on.');
    expect(savedRule()!.scope).to.deep.equal({ filters: { department: 'Engineering' }, reportsTo: { contactId: 'c001', indirect: true } });

    // The saved rule names the manager, in the list and when edited again, not by their id.
    (await findByRole(el, 'button', 'Go to Updates')).click();
    await waitForText(el, 'Everyone in Engineering, reporting to Ada Lovelace (at any level)');
    expect(visibleText(el)).not.to.include('c001');
    (await findByRole(el, 'button', /^Edit/)).click();
    await waitForText(el, 'Everyone in Engineering, reporting to Ada Lovelace (at any level)');
  });

  it('is chosen and removed with the keyboard alone', async () => {
    giveAdaReports();
    const el = await mount();
    await toRolesWithEngineering(el);
    await openKeepInSync(el);
    const editor = editorOf(el);
    (await findByRole(editor, 'searchbox', 'Only people who report to…')).focus();
    await sendKeys({ type: 'Lovelace' });
    await findByRole(editor, 'button', /^Ada Lovelace/);
    await sendKeys({ press: 'ArrowDown' });
    await sendKeys({ press: 'Enter' });
    await waitForText(el, '2match the rule');
    const picker = editor.shadowRoot!.querySelector('hr-manager-picker')!;
    await waitUntil(() => picker.shadowRoot!.activeElement?.textContent?.trim() === 'Remove', 'focus is not on Remove');
    await sendKeys({ press: 'Enter' });
    await waitForText(el, '10match the rule');
    expect(dryRuns().at(-1)!.scope.reportsTo).to.be.undefined;
    await waitUntil(() => picker.shadowRoot!.activeElement?.id === 'manager-search', 'focus did not go back to the search');
  });

  it('searches once typing pauses, the previous search aborted', async () => {
    const el = await mount();
    await toRolesWithEngineering(el);
    await openKeepInSync(el);
    const editor = editorOf(el);
    const before = bff.contactRequests().length;
    (await findByRole(editor, 'searchbox', 'Only people who report to…')).focus();
    await sendKeys({ type: 'Grace' });
    await findByRole(editor, 'button', /^Grace Hopper/);
    // One request for five keys: the search waits for a pause.
    expect(bff.contactRequests().length - before).to.equal(1);
    expect(visibleText(editor)).not.to.include('Ada Lovelace ·');
  });

  it('aborts a search still under way when the admin types on', async () => {
    const el = await mount();
    await toRolesWithEngineering(el);
    await openKeepInSync(el);
    const editor = editorOf(el);
    const signals = new Map<string, AbortSignal>();
    const answer = window.fetch;
    window.fetch = (input, init) => {
      const search = new URL(String(input instanceof Request ? input.url : input), location.href).searchParams.get('search');
      if (search && init?.signal) signals.set(search, init.signal);
      return answer(input, init);
    };
    bff.hang('GET /providers/sample/contacts');
    (await findByRole(editor, 'searchbox', 'Only people who report to…')).focus();
    await sendKeys({ type: 'Ada' });
    await waitUntil(() => signals.has('Ada'), 'no search for Ada');
    await sendKeys({ type: ' L' });
    await waitUntil(() => signals.has('Ada L'), 'no search for Ada L');
    expect(signals.get('Ada')!.aborted).to.be.true;
    expect(signals.get('Ada L')!.aborted).to.be.false;
  });
});

describe('Keep in sync: role rules with several conditions', () => {
  it('saves a rule whose conditions must all hold', async () => {
    const el = await mount();
    await toRolesWithEngineering(el);
    await openKeepInSync(el);
    getByRole(el, 'button', 'Add a role rule').click();
    const value = await findByRole<HTMLInputElement>(el, 'textbox', 'Value of role rule 1');
    value.value = 'Engineering';
    value.dispatchEvent(new Event('change'));
    choose(getByRole<HTMLSelectElement>(el, 'combobox', 'Role given by role rule 1'), 'admin');
    await waitForText(el, '9 as Admin');

    getByRole(el, 'button', 'Add condition to role rule 1').click();
    choose(await findByRole<HTMLSelectElement>(el, 'combobox', 'Field of condition 2 of role rule 1'), 'title');
    const second = getByRole<HTMLInputElement>(el, 'textbox', 'Value of condition 2 of role rule 1');
    second.value = 'Engineer';
    second.dispatchEvent(new Event('change'));
    expect(visibleText(el)).to.include('All conditions must hold.');
    await waitForText(el, '4 as Admin');
    await expectAccessible(el);

    // A third condition, then removed: at least one stays, and the other two are kept.
    getByRole(el, 'button', 'Add condition to role rule 1').click();
    getByRole(await findByRole(el, 'list', 'Conditions of role rule 1'), 'button', 'Remove condition 3 of role rule 1').click();
    await waitUntil(() => !queryByRole(el, 'textbox', 'Value of condition 3 of role rule 1'));

    const save = getByRole<HTMLButtonElement>(el, 'button', 'Save rule');
    await waitUntil(() => !save.disabled, 'Save stays disabled');
    save.click();
    await waitForText(el, 'Keep in sync is on.');
    expect(savedRule()!.roleRules).to.deep.equal([
      {
        conditions: [
          { field: 'department', operator: 'is', value: 'Engineering' },
          { field: 'title', operator: 'is', value: 'Engineer' },
        ],
        role: 'admin',
      },
    ]);
  });
});
