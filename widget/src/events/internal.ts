/**
 * Events between the parts of `<hr-import>`. They bubble but are not composed: they stay inside
 * the root's shadow tree, so a host only ever sees the public `hr-import-*` events.
 */
import type { ConnectionState, Contact, ProviderInfo } from '../../../bff/contract.js';
import type { ContactQuery, Selection } from '../model/selection.js';

const INTERNAL: EventInit = { bubbles: true, composed: false };

export class HrProviderSelectEvent extends Event {
  static readonly eventName = 'hr-provider-select';
  readonly provider: ProviderInfo;
  constructor(provider: ProviderInfo) {
    super(HrProviderSelectEvent.eventName, INTERNAL);
    this.provider = provider;
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

/** The provider refused its stored credentials (expired or revoked): connect it again. */
export class HrProviderReconnectEvent extends Event {
  static readonly eventName = 'hr-provider-reconnect';
  readonly provider: ProviderInfo;
  constructor(provider: ProviderInfo) {
    super(HrProviderReconnectEvent.eventName, INTERNAL);
    this.provider = provider;
  }
}

/** The admin left the connect form without connecting. */
export class HrConnectCancelEvent extends Event {
  static readonly eventName = 'hr-connect-cancel';
  constructor() {
    super(HrConnectCancelEvent.eventName, INTERNAL);
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

/** The rows loaded so far for the current query (first page plus every "Load more"). */
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
    'hr-selection-change': HrSelectionChangeEvent;
    'hr-query-change': HrQueryChangeEvent;
    'hr-contacts-loaded': HrContactsLoadedEvent;
    'hr-role-change': HrRoleChangeEvent;
    'hr-message-change': HrMessageChangeEvent;
  }
}
