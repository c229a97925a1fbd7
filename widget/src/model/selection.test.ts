import { expect } from '@open-wc/testing';
import { directory } from '../test/fake-bff.js';
import { emptyQuery, importSelection, isSelected, noSelection, selectAll, selectedCount, withContact } from './selection.js';

const [ada, grace] = directory();

describe('selection', () => {
  it('counts ids, or the matching selectable contacts minus the exceptions', () => {
    let ids = withContact(noSelection(), 'c001', true);
    ids = withContact(ids, 'c006', true);
    expect(selectedCount(ids)).to.equal(2);
    const all = withContact(selectAll(emptyQuery(), 26), 'c001', false);
    expect(selectedCount(all)).to.equal(25);
    expect(isSelected(all, ada!)).to.be.false;
    expect(selectedCount(withContact(all, 'c001', true))).to.equal(26);
  });

  it('never counts a contact that cannot be invited as selected', () => {
    expect(isSelected(selectAll(emptyQuery(), 26), grace!)).to.be.false;
    expect(isSelected({ mode: 'ids', ids: new Set(['c002']) }, grace!)).to.be.false;
  });

  it('writes the import selection without empty members', () => {
    expect(importSelection(withContact(noSelection(), 'c001', true))).to.deep.equal({ ids: ['c001'] });
    expect(importSelection(selectAll(emptyQuery(), 3))).to.deep.equal({ all: true });
    const query = { search: '  eng ', department: 'Sales', location: '', showInactive: true };
    expect(importSelection(withContact(selectAll(query, 3), 'c009', false))).to.deep.equal({
      all: true,
      search: 'eng',
      filters: { department: 'Sales', status: 'all' },
      except: ['c009'],
    });
  });
});
