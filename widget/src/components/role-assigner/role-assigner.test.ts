import { expect, fixture, html } from '@open-wc/testing';
import type { HrRoleChangeEvent } from '../../events/internal.js';
import { expectAccessible } from '../../test/axe.js';
import { ROLES, makeContact } from '../../test/fake-bff/index.js';
import { choose, getByRole, queryByRole, visibleText } from '../../test/queries.js';
import { HrRoleAssigner } from './role-assigner.js';

const contacts = [makeContact(0), makeContact(5), makeContact(6)];

function mount(more = 0) {
  return fixture<HrRoleAssigner>(html`<hr-role-assigner .roles=${ROLES} common-role="member" .contacts=${contacts} .more=${more}></hr-role-assigner>`);
}

const select = (el: HrRoleAssigner, name: string) => getByRole<HTMLSelectElement>(el, 'combobox', name);

describe('hr-role-assigner', () => {
  it('offers the target roles and starts every contact on the default role', async () => {
    const el = await mount();
    const bulk = select(el, 'Invite all selected users as');
    expect([...bulk.options].map((o) => [o.value, o.textContent])).to.deep.equal([
      ['member', 'User'],
      ['admin', 'Admin'],
      ['viewer', 'Viewer'],
    ]);
    for (const c of contacts) expect(select(el, `Role for ${c.displayName}`).value).to.equal('member');
  });

  it('records a per-contact role that differs from the common one', async () => {
    const el = await mount();
    const events: HrRoleChangeEvent[] = [];
    el.addEventListener('hr-role-change', (e) => events.push(e));
    choose(select(el, 'Role for Donald Knuth'), 'admin');
    expect(events.at(-1)!.role).to.equal('member');
    expect([...events.at(-1)!.overrides]).to.deep.equal([['c006', 'admin']]);
    choose(select(el, 'Role for Donald Knuth'), 'member');
    expect(events.at(-1)!.overrides.size).to.equal(0);
  });

  it('"Invite all selected users as" sets the role of everyone and clears the per-contact ones', async () => {
    const el = await mount();
    const events: HrRoleChangeEvent[] = [];
    el.addEventListener('hr-role-change', (e) => events.push(e));
    choose(select(el, 'Role for Donald Knuth'), 'admin');
    await el.updateComplete;
    choose(select(el, 'Invite all selected users as'), 'viewer');
    await el.updateComplete;
    for (const c of contacts) expect(select(el, `Role for ${c.displayName}`).value).to.equal('viewer');
    expect(events.at(-1)!.role).to.equal('viewer');
    expect(events.at(-1)!.overrides.size).to.equal(0);
  });

  it('counts the selected contacts it does not list', async () => {
    const el = await mount(12);
    expect(visibleText(el)).to.include('and 12 more contacts');
    const none = await fixture<HrRoleAssigner>(html`<hr-role-assigner .roles=${ROLES} common-role="member" .more=${5}></hr-role-assigner>`);
    expect(queryByRole(none, 'list')).to.be.null;
    expect(visibleText(none)).to.include('5 more contacts');
  });

  it('has no axe violations', async () => {
    await expectAccessible(await mount(3));
  });
});
