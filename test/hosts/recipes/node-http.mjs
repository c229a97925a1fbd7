// hr-import inside a plain node:http server. Settings come from the environment (docs/operations.md: configuration).
import { createServer } from 'node:http';
import { createBffFromEnv } from '@hr-import/bff';

const bff = await createBffFromEnv(process.env);
await bff.start(); // migrates, then sends invite mail and webhooks in the background

const server = createServer((req, res) => {
  // Requests under /api are the BFF's; the others go on to the host's own routes.
  bff.nodeHandler(req, res, () => {
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('host home');
  });
});
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => console.log(`listening on ${server.address().port}`));

process.once('SIGTERM', () => server.close(() => bff.stop().then(() => process.exit(0))));
