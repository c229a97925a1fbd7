import { expect } from '@open-wc/testing';
import { FakeBff, directory } from '../test/fake-bff/index.js';
import {
  emptyDraft,
  forSession,
  importRequest,
  messageOf,
  nextImport,
  roleCounts,
  selectedContacts,
  syncDraftOf,
  withContacts,
  withDirectory,
  withMessage,
  withProvider,
  withQuery,
  withRoles,
  withSelection,
  type ImportDraft,
} from './import-draft.js';
import { emptyQuery, noSelection, selectAll, withContact } from './selection.js';

const [sample, bamboo] = new FakeBff().providers;
const session = new FakeBff().session();
const contacts = directory();
const [ada, , , , , sixth] = contacts;
const defaults = { subject: 'Join {{targetName}}', body: 'Hi {{firstName}}' };
const engineering = { ...emptyQuery(), search: ' ada ', department: 'Engineering' };

/** A draft with a search, Ada and c006 ticked, a role each and a message written, on the sample directory. */
function picked(): ImportDraft {
  let draft = withProvider(emptyDraft(), sample!, null);
  draft = withDirectory(draft, '2026-01-01T00:00:00.000Z');
  draft = withQuery(draft, engineering);
  draft = withContacts(draft, contacts.slice(0, 10));
  draft = withSelection(draft, withContact(withContact(noSelection(), ada!, true), sixth!, true));
  draft = withRoles(draft, 'member', new Map([[sixth!.id, 'admin']]));
  return withMessage(draft, 'Welcome', 'Hello {{firstName}}');
}

describe('ImportDraft', () => {
  it('counts the selected per role in the target order, for the review line before Import Contacts', () => {
    const roles = [{ id: 'admin' }, { id: 'member' }];
    expect(roleCounts(picked(), roles)).to.deep.equal([
      { role: 'admin', count: 1 },
      { role: 'member', count: 1 },
    ]);
    // A role set for someone no longer selected counts for no one.
    const unticked = withSelection(picked(), withContact(noSelection(), ada!, true));
    expect(roleCounts(unticked, roles)).to.deep.equal([{ role: 'member', count: 1 }]);
    expect(roleCounts(emptyDraft(), roles)).to.deep.equal([]);
  });

  it('starts with nothing picked and the default message', () => {
    const draft = emptyDraft();
    expect(draft.provider).to.equal(null);
    expect(draft.directory).to.equal(null);
    expect(draft.selection).to.deep.equal(noSelection());
    expect(messageOf(draft, defaults)).to.deep.equal(defaults);
    expect(importRequest(draft, defaults, undefined)).to.equal(null);
  });

  it('lists a directory the provider list says is fresh at once', () => {
    const draft = withProvider(emptyDraft(), sample!, { syncedAt: '2026-01-02T00:00:00.000Z', until: 1 });
    expect(draft.directory).to.equal('2026-01-02T00:00:00.000Z');
    expect(withProvider(emptyDraft(), sample!, null).directory).to.equal(null);
  });

  it('changing the provider clears the directory, search, selection, loaded contacts and per-contact roles, not the role or message', () => {
    const draft = withProvider(picked(), bamboo!, null);
    expect(draft.provider).to.equal(bamboo);
    expect(draft.directory).to.equal(null);
    expect(draft.query).to.deep.equal(emptyQuery());
    expect(draft.selection).to.deep.equal(noSelection());
    expect(draft.rows).to.deep.equal([]);
    expect(draft.known.size).to.equal(0);
    expect(draft.overrides.size).to.equal(0);
    expect(draft.role).to.equal('member');
    expect(messageOf(draft, defaults)).to.deep.equal({ subject: 'Welcome', body: 'Hello {{firstName}}' });
  });

  it('picking the same provider again keeps everything, its directory included', () => {
    const before = picked();
    const draft = withProvider(before, sample!, { syncedAt: '2026-05-05T00:00:00.000Z', until: 1 });
    expect(draft.directory).to.equal(before.directory);
    expect(draft.query).to.equal(before.query);
    expect(draft.selection).to.equal(before.selection);
    expect(draft.overrides).to.equal(before.overrides);
  });

  it('a newer directory keeps the search and the selection (the list loads it again)', () => {
    const before = picked();
    const draft = withDirectory(before, '2026-02-01T00:00:00.000Z');
    expect(draft.directory).to.equal('2026-02-01T00:00:00.000Z');
    expect(draft.query).to.equal(before.query);
    expect(draft.selection).to.equal(before.selection);
    expect(withDirectory(before, null).directory, 'a directory without a date is still listed').to.equal('');
  });

  it('remembers every contact loaded, and the current page apart', () => {
    const draft = withContacts(picked(), contacts.slice(20, 22));
    expect(draft.rows.map((c) => c.id)).to.deep.equal(['c021', 'c022']);
    expect(draft.known.has(ada!.id) && draft.known.has('c022')).to.be.true;
    expect(picked().known.has('c022'), 'the draft before is left as it was').to.be.false;
  });

  it('names the ticked contacts it has loaded, and counts the others', () => {
    const ids = withSelection(picked(), withContact(picked().selection, contacts[29]!, true));
    expect(selectedContacts(ids).shown.map((c) => c.id)).to.deep.equal(['c001', 'c006']);
    expect(selectedContacts(ids).more).to.equal(1);
    // A Select All names the loaded contacts it holds, and counts the rest of the rule.
    const all = withSelection(picked(), selectAll({ ...emptyQuery(), department: 'Support' }, 9));
    expect(selectedContacts(all).shown.map((c) => c.id)).to.deep.equal(['c006', 'c009']);
    expect(selectedContacts(all).more).to.equal(7);
  });

  it('a session whose target lacks the role gives its default role; one that has it keeps it', () => {
    expect(forSession(emptyDraft(), session).role).to.equal(session.target.defaultRole);
    const admin = withRoles(emptyDraft(), 'admin', new Map());
    expect(forSession(admin, session).role).to.equal('admin');
  });

  it('after an import starts again from nothing, with the target default role', () => {
    const draft = nextImport(session);
    expect({ ...draft, role: '' }).to.deep.equal(emptyDraft());
    expect(draft.role).to.equal(session.target.defaultRole);
  });

  it('writes the import request, with per-contact roles only where they differ and for selected contacts', () => {
    let draft = picked();
    draft = withRoles(draft, 'member', new Map([...draft.overrides, [ada!.id, 'member'], ['c020', 'admin']]));
    expect(importRequest(draft, messageOf(draft, defaults), 'de')).to.deep.equal({
      provider: 'sample',
      selection: { ids: ['c001', 'c006'] },
      role: 'member',
      roles: { c006: 'admin' },
      message: { subject: 'Welcome', body: 'Hello {{firstName}}' },
      locale: 'de',
    });
    const plain = withRoles(draft, 'member', new Map());
    expect(importRequest(plain, defaults, undefined)).to.deep.equal({
      provider: 'sample',
      selection: { ids: ['c001', 'c006'] },
      role: 'member',
      message: defaults,
    });
  });

  it('makes a Keep in sync rule of the search and filters, not of the ticked rows', () => {
    const draft = picked();
    expect(syncDraftOf(draft, messageOf(draft, defaults))).to.deep.equal({
      provider: 'sample',
      scope: { search: 'ada', filters: { department: 'Engineering' } },
      defaultRole: 'member',
      message: { subject: 'Welcome', body: 'Hello {{firstName}}' },
    });
    expect(syncDraftOf(emptyDraft(), defaults)).to.deep.equal({ provider: '', scope: { filters: {} }, defaultRole: '', message: defaults });
  });
});
