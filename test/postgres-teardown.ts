/** Vitest global setup of the PostgreSQL project: after the run, drop the run's migrated template (test/postgres.ts). */
import type { TestProject } from 'vitest/node';
import { dropPgTemplate } from './postgres.js';

export default function setup(project: TestProject): () => Promise<void> {
  return async () => {
    const { TEST_PG_URL: url, HRI_TEST_RUN: run } = project.config.env;
    if (url && run) await dropPgTemplate(url, run);
  };
}
