import { expect, fixture, html } from '@open-wc/testing';
import type { Contact, ImportResult } from '../../api/types.js';
import { expectAccessible } from '../../test/axe.js';
import { makeContact } from '../../test/fake-bff.js';
import { queryAllByRole, visibleText } from '../../test/queries.js';
import { HrImportSummary } from './import-summary.js';

const result: ImportResult = {
  id: 'imp_1',
  invited: 7,
  skipped: [
    { contactId: 'c002', email: 'grace@example.com', reason: 'already_member' },
    { contactId: 'c404', email: 'gone@example.com', reason: 'not_found' },
  ],
  seats: { limit: 50, used: 17, remaining: 33 },
};
const contacts = new Map<string, Contact>([['c002', makeContact(1)]]);

describe('hr-import-summary', () => {
  it('shows how many were invited and each skipped contact with its reason', async () => {
    const el = await fixture<HrImportSummary>(html`<hr-import-summary .result=${result} .contacts=${contacts}></hr-import-summary>`);
    expect(visibleText(el)).to.include('7 invited');
    expect(visibleText(el)).to.include('2 skipped');
    expect(queryAllByRole(el, 'listitem').map(visibleText)).to.deep.equal([
      'Grace Hopper grace@example.com Already a member',
      'gone@example.com No longer in the directory',
    ]);
    expect(visibleText(el)).to.include('33 seats remain');
  });

  it('leaves out the skipped part when nobody was skipped', async () => {
    const el = await fixture<HrImportSummary>(html`<hr-import-summary .result=${{ ...result, skipped: [] }}></hr-import-summary>`);
    expect(visibleText(el)).not.to.include('skipped');
    expect(queryAllByRole(el, 'list')).to.have.length(0);
  });

  it('has no axe violations', async () => {
    await expectAccessible(await fixture(html`<hr-import-summary .result=${result} .contacts=${contacts}></hr-import-summary>`));
  });
});
