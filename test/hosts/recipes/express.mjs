// hr-import inside an Express 5 app, behind the usual JSON body parser.
import express from 'express';
import { createBffFromEnv } from '@hr-import/bff';

const bff = await createBffFromEnv(process.env);
await bff.start();

const app = express();
app.use(express.json()); // hr-import reads what the parser kept; mounting it first works too
app.get('/', (req, res) => res.type('text').send('host home'));
app.use(bff.nodeHandler); // answers under /api, hands every other request on

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => console.log(`listening on ${server.address().port}`));

process.once('SIGTERM', () => server.close(() => bff.stop().then(() => process.exit(0))));
