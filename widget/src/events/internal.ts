/**
 * Events between the parts of `<hr-import>`. They bubble but are not composed: they stay inside
 * the root's shadow tree, so a host only ever sees the public `hr-import-*` events.
 */
import type { ConnectionState, Contact, CsvCounts, ProviderInfo } from '../api/types.js';
import type { ContactQuery, Selection } from '../model/selection.js';

/** How every internal event travels (events/sync.ts's too). */
export const INTERNAL: EventInit = { bubbles: true, composed: false };

/** A cached directory known to be fresh, and until when (the page's clock, in ms). */
export interface FreshDirectory {
  readonly syncedAt: string;
  readonly until: number;
}

export class HrProviderSelectEvent extends Event {
  static readonly eventName = 'hr-provider-select';
  readonly provider: ProviderInfo;
  /** The provider's cached directory, when the provider list said it is fresh: listed at once. */
  readonly fresh: FreshDirectory | null;
  constructor(provider: ProviderInfo, fresh: FreshDirectory | null = null) {
    super(HrProviderSelectEvent.eventName, INTERNAL);
    this.provider = provider;
    this.fresh = fresh;
  }
}

/** The organization's credentials for a provider were stored (or removed): its new state. */
export class HrConnectionChangeEvent extends Event {
  static readonly eventName = 'hr-connection-change';
  readonly provider: ProviderInfo;
  readonly connection: ConnectionState;
  constructor(provider: ProviderInfo, connection: ConnectionState) {
    super(HrConnectionChangeEvent.eventName, INTERNAL);
    this.provider = provider;
    this.connection = connection;
  }
}

/** The admin left the connect form without connecting. */
export class HrConnectCancelEvent extends Event {
  static readonly eventName = 'hr-connect-cancel';
  constructor() {
    super(HrConnectCancelEvent.eventName, INTERNAL);
  }
}

/**
 * A CSV file's rows became the organization's directory (`counts`), or, with `counts` null, the
 * admin chose to go on with the file uploaded before.
 */
export class HrCsvConfirmEvent extends Event {
  static readonly eventName = 'hr-csv-confirm';
  readonly provider: ProviderInfo;
  readonly counts: CsvCounts | null;
  constructor(provider: ProviderInfo, counts: CsvCounts | null) {
    super(HrCsvConfirmEvent.eventName, INTERNAL);
    this.provider = provider;
    this.counts = counts;
  }
}

/** The admin left the CSV upload without confirming a file. */
export class HrCsvCancelEvent extends Event {
  static readonly eventName = 'hr-csv-cancel';
  constructor() {
    super(HrCsvCancelEvent.eventName, INTERNAL);
  }
}

/**
 * A part that takes the whole step over (the CSV upload) gives the step its heading; '' gives
 * the step its own back. Composed, unlike the others, to leave the picker's shadow tree:
 * `<hr-import>` stops it in its own, so the page never sees it.
 */
export class HrHeadingEvent extends Event {
  static readonly eventName = 'hr-heading';
  readonly heading: string;
  constructor(heading: string) {
    super(HrHeadingEvent.eventName, { bubbles: true, composed: true });
    this.heading = heading;
  }
}

export class HrSelectionChangeEvent extends Event {
  static readonly eventName = 'hr-selection-change';
  readonly selection: Selection;
  constructor(selection: Selection) {
    super(HrSelectionChangeEvent.eventName, INTERNAL);
    this.selection = selection;
  }
}

export class HrQueryChangeEvent extends Event {
  static readonly eventName = 'hr-query-change';
  readonly query: ContactQuery;
  constructor(query: ContactQuery) {
    super(HrQueryChangeEvent.eventName, INTERNAL);
    this.query = query;
  }
}

/** The first page of the current query, and the contacts checked one by one (the list keeps only pages in view). */
export class HrContactsLoadedEvent extends Event {
  static readonly eventName = 'hr-contacts-loaded';
  readonly contacts: readonly Contact[];
  constructor(contacts: readonly Contact[]) {
    super(HrContactsLoadedEvent.eventName, INTERNAL);
    this.contacts = contacts;
  }
}

export class HrRoleChangeEvent extends Event {
  static readonly eventName = 'hr-role-change';
  readonly role: string;
  /** Per-contact roles that differ from `role`. */
  readonly overrides: ReadonlyMap<string, string>;
  constructor(role: string, overrides: ReadonlyMap<string, string>) {
    super(HrRoleChangeEvent.eventName, INTERNAL);
    this.role = role;
    this.overrides = overrides;
  }
}

export class HrMessageChangeEvent extends Event {
  static readonly eventName = 'hr-message-change';
  readonly subject: string;
  readonly body: string;
  constructor(subject: string, body: string) {
    super(HrMessageChangeEvent.eventName, INTERNAL);
    this.subject = subject;
    this.body = body;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'hr-provider-select': HrProviderSelectEvent;
    'hr-connection-change': HrConnectionChangeEvent;
    'hr-connect-cancel': HrConnectCancelEvent;
    'hr-csv-confirm': HrCsvConfirmEvent;
    'hr-csv-cancel': HrCsvCancelEvent;
    'hr-heading': HrHeadingEvent;
    'hr-selection-change': HrSelectionChangeEvent;
    'hr-query-change': HrQueryChangeEvent;
    'hr-contacts-loaded': HrContactsLoadedEvent;
    'hr-role-change': HrRoleChangeEvent;
    'hr-message-change': HrMessageChangeEvent;
  }
}
