import { expect, fixture, html } from '@open-wc/testing';
import type { Contact, ImportResult } from '../../api/types.js';
import { expectAccessible } from '../../test/axe.js';
import { makeContact } from '../../test/fake-bff/index.js';
import { queryAllByRole, visibleText } from '../../test/queries.js';
import { HrImportSummary } from './import-summary.js';

const roles = [
  { id: 'member', label: 'User' },
  { id: 'admin', label: 'Admin' },
];
const result: ImportResult = {
  id: 'imp_1',
  invited: 3,
  invites: [
    { contactId: 'c010', name: 'Ada Lovelace', email: 'ada@example.com', role: 'member' },
    { contactId: 'c011', name: 'Alan Turing', email: 'alan@example.com', role: 'admin' },
  ],
  roles: [
    { role: 'member', count: 2 },
    { role: 'admin', count: 1 },
  ],
  skipped: [
    { contactId: 'c002', email: 'grace@example.com', reason: 'already_member' },
    { contactId: 'c404', email: 'gone@example.com', reason: 'not_found' },
  ],
  seats: { limit: 50, used: 17, remaining: 33 },
};
const contacts = new Map<string, Contact>([['c002', makeContact(1)]]);

describe('hr-import-summary', () => {
  it('names who was invited with which role, and says how many more the answer did not name', async () => {
    const el = await fixture<HrImportSummary>(html`<hr-import-summary .result=${result} .contacts=${contacts} .roles=${roles}></hr-import-summary>`);
    expect(visibleText(el)).to.include('3 invited');
    expect(visibleText(el)).to.include('2 as User · 1 as Admin');
    const invited = queryAllByRole(el, 'list')[0]!;
    expect(queryAllByRole(invited, 'listitem').map(visibleText)).to.deep.equal([
      'Ada Lovelace ada@example.com User',
      'Alan Turing alan@example.com Admin',
      'and 1 more',
    ]);
    expect(visibleText(el)).to.include('Invitations are on their way by email.');
  });

  it('says plainly that nothing was sent when every contact was skipped', async () => {
    const none: ImportResult = { ...result, invited: 0, invites: [], roles: [] };
    const el = await fixture<HrImportSummary>(html`<hr-import-summary .result=${none} .contacts=${contacts} .roles=${roles}></hr-import-summary>`);
    expect(visibleText(el)).to.include('No invitation was sent');
    expect(visibleText(el)).not.to.include('on their way');
    expect(el.shadowRoot!.querySelector('.total.invited')).to.equal(null);
    expect(queryAllByRole(el, 'list')).to.have.length(1);
  });

  it('shows each skipped contact with its reason', async () => {
    const el = await fixture<HrImportSummary>(html`<hr-import-summary .result=${result} .contacts=${contacts} .roles=${roles}></hr-import-summary>`);
    expect(visibleText(el)).to.include('2 skipped');
    const skipped = queryAllByRole(el, 'list')[1]!;
    expect(queryAllByRole(skipped, 'listitem').map(visibleText)).to.deep.equal([
      'Grace Hopper grace@example.com Already a member',
      'gone@example.com No longer in the directory',
    ]);
    expect(visibleText(el)).to.include('33 seats remain');
  });

  it('leaves out the skipped part when nobody was skipped', async () => {
    const el = await fixture<HrImportSummary>(html`<hr-import-summary .result=${{ ...result, skipped: [] }}></hr-import-summary>`);
    expect(visibleText(el)).not.to.include('skipped');
    expect(queryAllByRole(el, 'list')).to.have.length(1);
  });

  it('has no axe violations', async () => {
    await expectAccessible(await fixture(html`<hr-import-summary .result=${result} .contacts=${contacts} .roles=${roles}></hr-import-summary>`));
  });
});
