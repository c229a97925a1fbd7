// hr-import inside a Fastify 5 app. The hook runs before Fastify parses the body, so the BFF
// reads the request as it arrived; Fastify's routes, parsers and hooks stay as they are.
import Fastify from 'fastify';
import { createBffFromEnv } from '@hr-import/bff';

const bff = await createBffFromEnv(process.env);
await bff.start();

const app = Fastify();
app.addHook('onRequest', (request, reply, done) => {
  if (!bff.owns(request.url)) return done();
  reply.hijack(); // the BFF writes the response itself
  bff.nodeHandler(request.raw, reply.raw);
});
app.get('/', async () => 'host home');

const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
console.log(`listening on ${new URL(address).port}`);

process.once('SIGTERM', () =>
  app
    .close()
    .then(() => bff.stop())
    .then(() => process.exit(0)),
);
