import { createContext } from '@lit/context';
import type { ApiClient } from './client.js';

/** The API client of the nearest `<hr-import>`; undefined until it has a session token. */
export const apiContext = createContext<ApiClient | undefined>(Symbol('hr-import-api'));
