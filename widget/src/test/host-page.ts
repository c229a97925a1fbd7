import { fixtureCleanup } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import { FakeBff } from './fake-bff/index.js';

/**
 * The hooks of the tests of `<hr-import>` on a host's page (hr-import.host.test.ts,
 * hr-import.language.test.ts): a fake BFF installed for each test and handed to `use`, and, after
 * it, the one `current` names taken down (a test may have installed another in its place) and the
 * page's language, color scheme and the reader's preference put back.
 */
export function onHostPage(use: (bff: FakeBff) => void, current: () => FakeBff): void {
  beforeEach(() => use(new FakeBff().install()));
  afterEach(async () => {
    fixtureCleanup();
    current().uninstall();
    document.documentElement.lang = 'en';
    document.documentElement.style.colorScheme = '';
    await emulateMedia({ colorScheme: 'light' });
  });
}

/** The session token a request carried. */
export const auth = (r: { headers: Headers }) => r.headers.get('Authorization');
