/** The session, the providers' connections and the directory refresh, as the BFF's session, connections and refresh routes answer. */
import type { SessionInfo } from '../../api/types.js';
import { answer, errorResponse } from './http.js';
import type { FakeState } from './state.js';

export function session(state: FakeState): SessionInfo {
  return {
    inviter: { id: 'u1', name: 'Iris Inviter', email: 'iris@example.com' },
    target: { type: 'organization', id: 'org-1', name: 'Acme Labs', roles: state.roles, defaultRole: 'member' },
    seats: state.seats,
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  };
}

/** POST starts the scripted refresh; each GET then moves one step along it. */
export function refresh(state: FakeState, method: string): Response {
  if (method === 'POST') {
    state.refreshAt = 0;
    state.refreshState = state.refreshSteps[0] ?? state.refreshReady();
    return answer('/providers/{provider}/refresh', 'post', 202, state.refreshState);
  }
  if (state.refreshAt >= 0 && state.refreshAt < state.refreshSteps.length - 1) {
    state.refreshAt += 1;
    state.refreshState = state.refreshSteps[state.refreshAt]!;
  }
  return answer('/providers/{provider}/refresh', 'get', 200, state.refreshState);
}

/** PUT stores (the provider turns ready), POST …/test reads the directory, DELETE forgets. */
export function connection(state: FakeState, method: string, id: string, test: boolean): Response {
  const provider = state.providers.find((p) => p.id === id);
  if (!provider) return errorResponse(404, 'provider_not_found', `No HR application "${id}" is configured.`);
  if (test && method === 'POST') {
    if (provider.connection !== 'ready') return errorResponse(409, 'provider_not_connected', `${provider.name} is not connected yet.`);
    return answer('/providers/{provider}/connection/test', 'post', 200, { ok: true, sample: state.contacts.length });
  }
  if (test || (method !== 'PUT' && method !== 'DELETE')) return errorResponse(404, 'not_found', `No route ${method}`);
  if (!provider.fields) return errorResponse(409, 'configured_by_deployment', `${provider.name} is connected by this deployment's configuration.`);
  const connection = method === 'PUT' ? 'ready' : 'needs_credentials';
  state.providers = state.providers.map((p) => (p.id === id ? { ...p, connection } : p));
  return answer('/providers/{provider}/connection', method === 'PUT' ? 'put' : 'delete', 200, { connection });
}
