// hr-import inside a Hono app (Node, via @hono/node-server; the same fetch works on Bun and Deno).
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createBffFromEnv } from '@hr-import/bff';

const bff = await createBffFromEnv(process.env);
await bff.start();

const app = new Hono();
app.get('/', (c) => c.text('host home'));
app.all('/api/*', (c) => bff.fetch(c.req.raw));

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: '127.0.0.1' }, (info) => console.log(`listening on ${info.port}`));

process.once('SIGTERM', () => server.close(() => bff.stop().then(() => process.exit(0))));
