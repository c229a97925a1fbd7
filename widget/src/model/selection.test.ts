import { expect } from '@open-wc/testing';
import { directory, makeContact } from '../test/fake-bff/index.js';
import { emptyQuery, importSelection, includesId, isSelected, matchesRule, noSelection, ruleOf, selectAll, selectedCount, withContact } from './selection.js';

const people = directory();
const [ada, grace, , , barbara, donald] = people;
const support = { ...emptyQuery(), department: 'Support' };

describe('selection', () => {
  it('counts the ticked contacts, or the matching selectable contacts minus the exceptions', () => {
    let ids = withContact(noSelection(), ada!, true);
    ids = withContact(ids, donald!, true);
    expect(selectedCount(ids)).to.equal(2);
    const all = withContact(selectAll(emptyQuery(), 26), ada!, false);
    expect(selectedCount(all)).to.equal(25);
    expect(isSelected(all, ada!)).to.be.false;
    expect(selectedCount(withContact(all, ada!, true))).to.equal(26);
  });

  it('never counts a contact that cannot be invited as selected', () => {
    expect(isSelected(selectAll(emptyQuery(), 26), grace!)).to.be.false;
    expect(isSelected({ ids: new Set(['c002']), rule: null }, grace!)).to.be.false;
  });

  it("keeps a Select All's people selected under another query, and adds the ones ticked there", () => {
    // Support: Donald (c006) among them; Ada is in Engineering.
    const all = selectAll(support, 9);
    expect(isSelected(all, donald!)).to.be.true;
    expect(isSelected(all, ada!), 'not one of the rule').to.be.false;
    expect(ruleOf(all, emptyQuery())).to.be.false;
    const more = withContact(all, ada!, true);
    expect(selectedCount(more)).to.equal(10);
    expect(isSelected(more, ada!)).to.be.true;
    // Unticking one of the rule's people under any query makes an exception, not a missing id.
    const less = withContact(more, donald!, false);
    expect(selectedCount(less)).to.equal(9);
    expect(less.rule!.except.has(donald!.id)).to.be.true;
  });

  it('moves ticked contacts into a later Select All that holds them, so they count once', () => {
    const ticked = withContact(withContact(noSelection(), ada!, true), donald!, true);
    const all = selectAll(support, 9, ticked, [ada!, donald!]);
    expect([...all.ids]).to.deep.equal([ada!.id]);
    expect(selectedCount(all)).to.equal(10);
  });

  it('matches a rule as the BFF does: every word, folded, in name, email, title, department or location; active only by default', () => {
    const rule = (search: string, filters = {}) => ({ search, filters });
    const zoe = makeContact(0, { displayName: 'Zoë Ångström', email: 'zoe@example.com', title: 'Chef', location: 'Berlin' });
    expect(matchesRule(rule('zoe ANG'), zoe)).to.be.true;
    expect(matchesRule(rule('zoe berlin'), zoe)).to.be.true;
    expect(matchesRule(rule('zoe paris'), zoe)).to.be.false;
    expect(matchesRule(rule(''), barbara!), 'inactive').to.be.false;
    expect(matchesRule(rule('', { status: 'all' }), barbara!)).to.be.true;
    expect(matchesRule(rule('', { department: 'Sales' }), ada!)).to.be.false;
  });

  it('tells whether an id is selected from the contacts it knows, else from the rule', () => {
    const all = selectAll(support, 9);
    const known = new Map(people.map((c) => [c.id, c]));
    expect(includesId(all, ada!.id, (id) => known.get(id))).to.be.false;
    expect(includesId(all, donald!.id, (id) => known.get(id))).to.be.true;
    expect(includesId(all, 'unknown')).to.be.true;
  });

  it('writes the import selection without empty members, the ticked ones beside the rule', () => {
    expect(importSelection(withContact(noSelection(), ada!, true))).to.deep.equal({ ids: ['c001'] });
    expect(importSelection(selectAll(emptyQuery(), 3))).to.deep.equal({ all: true });
    const query = { search: '  eng ', department: 'Sales', location: '', showInactive: true };
    const rule = selectAll(query, 3);
    const sam = makeContact(8, { department: 'Sales', title: 'Engineer', status: 'inactive' });
    expect(importSelection(withContact(withContact(rule, sam, false), ada!, true))).to.deep.equal({
      all: true,
      search: 'eng',
      filters: { department: 'Sales', status: 'all' },
      except: ['c009'],
      include: ['c001'],
    });
  });
});
