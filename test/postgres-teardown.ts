/** Vitest global setup of the PostgreSQL project: after the run, drop the migrated templates test/postgres.ts made. */
import type { TestProject } from 'vitest/node';
import { dropPgTemplates } from './postgres.js';

export default function setup(project: TestProject): () => Promise<void> {
  return async () => {
    const url = project.config.env.TEST_PG_URL;
    if (url) await dropPgTemplates(url);
  };
}
