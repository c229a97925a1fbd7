/**
 * Keep in sync (issue 17): the session target's sync rules, their runs and the updates they leave
 * for an admin; and, for the host's backend with the API key, each target's rules and run reports.
 */
import { Hono } from 'hono';
import type { RouteDeps } from '../deps.js';
import type { SessionEnv } from '../auth/session-token.js';
import { apiKeyAuth } from '../auth/api-key.js';
import {
  syncRuleInput,
  syncRuleParams,
  syncRunParams,
  syncUpdateAction,
  syncUpdatesQuery,
  targetParams,
  type SyncDryRun,
  type SyncRule,
  type SyncRuleList,
  type SyncRun,
  type SyncRunList,
  type SyncUpdateList,
  type SyncUpdateResult,
} from '../../contract/index.js';
import { validate } from '../validate.js';
import { getTarget } from '../services/targets.js';
import { createRule, deleteRule, dryRunRule, listRules, updateRule } from '../services/sync/rules.js';
import { approveRun, approveUpdates, dismissUpdates } from '../services/sync/approve.js';
import { listRuns, listUpdates } from '../services/sync/queries.js';
import { type SyncDeps } from '../services/sync/rule.js';
import { runNow } from '../services/sync/runner.js';

const syncDeps = ({ db, config, providers, logger, now, sealingKey }: RouteDeps): SyncDeps => ({ db: db.kysely, config, providers, now, logger, sealingKey });

export const syncRulesRoutes = (deps: RouteDeps) => {
  const sync = syncDeps(deps);
  return new Hono<SessionEnv>()
    .get('/', async (c) => c.json({ items: await listRules(sync.db, c.get('session').target) } satisfies SyncRuleList))
    .post('/dry-run', validate('json', syncRuleInput), async (c) =>
      c.json((await dryRunRule(sync, c.get('session').target, c.req.valid('json'))) satisfies SyncDryRun),
    )
    .post('/', validate('json', syncRuleInput), async (c) => {
      const session = c.get('session');
      return c.json((await createRule(sync, session.target, session.inviter, c.req.valid('json'))) satisfies SyncRule, 201);
    })
    .put('/:id', validate('param', syncRuleParams), validate('json', syncRuleInput), async (c) =>
      c.json((await updateRule(sync, c.get('session').target, c.req.valid('param').id, c.req.valid('json'))) satisfies SyncRule),
    )
    .delete('/:id', validate('param', syncRuleParams), async (c) => {
      await deleteRule(sync.db, c.get('session').target, c.req.valid('param').id);
      return c.body(null, 204);
    })
    .post('/:id/run', validate('param', syncRuleParams), async (c) =>
      c.json((await runNow(sync, c.get('session').target, c.req.valid('param').id)) satisfies SyncRun, 202),
    )
    .get('/:id/runs', validate('param', syncRuleParams), async (c) =>
      c.json({ items: await listRuns(sync.db, c.get('session').target, c.req.valid('param').id) } satisfies SyncRunList),
    )
    .post('/:id/runs/:run/approve', validate('param', syncRunParams), async (c) => {
      const { id, run } = c.req.valid('param');
      const session = c.get('session');
      return c.json((await approveRun(sync, session.target, id, run, session.inviter.id)) satisfies SyncRun);
    });
};

export const syncUpdatesRoutes = (deps: RouteDeps) => {
  const sync = syncDeps(deps);
  return new Hono<SessionEnv>()
    .get('/updates', validate('query', syncUpdatesQuery), async (c) => {
      const q = c.req.valid('query');
      const target = await getTarget(sync.db, c.get('session').target);
      return c.json((await listUpdates(sync.db, target, { ...q, limit: q.limit ?? 100 }, sync.now())) satisfies SyncUpdateList);
    })
    .post('/updates/approve', validate('json', syncUpdateAction), async (c) => {
      const session = c.get('session');
      return c.json((await approveUpdates(sync, session.target, session.inviter, c.req.valid('json').ids)) satisfies SyncUpdateResult);
    })
    .post('/updates/dismiss', validate('json', syncUpdateAction), async (c) =>
      c.json((await dismissUpdates(sync.db, c.get('session').target, c.req.valid('json').ids, sync.now())) satisfies SyncUpdateResult),
    );
};

/** For the host's backend (API key): a target's rules and a rule's run reports. */
export const targetSyncRoutes = (deps: RouteDeps) => {
  const sync = syncDeps(deps);
  return new Hono()
    .use(apiKeyAuth(deps.config.apiKeys))
    .get('/:type/:id/sync-rules', validate('param', targetParams), async (c) => {
      const ref = c.req.valid('param');
      await getTarget(sync.db, ref);
      return c.json({ items: await listRules(sync.db, ref) } satisfies SyncRuleList);
    })
    .get('/:type/:id/sync-rules/:rule/runs', validate('param', targetParams.extend({ rule: syncRuleParams.shape.id })), async (c) => {
      const { rule, ...ref } = c.req.valid('param');
      await getTarget(sync.db, ref);
      return c.json({ items: await listRuns(sync.db, ref, rule) } satisfies SyncRunList);
    });
};
