/**
 * The BFF contract as an OpenAPI 3.1 document, served at `GET <basePath>/openapi.json` and
 * generated, never written: every schema comes from contract/ (the same zod schemas the
 * routes validate with and answer in), and the one table of operations (OPERATIONS, its parts in
 * bff/openapi/) says which operation takes and
 * answers which. bff/openapi.test.ts checks it against real answers, and that every route of the
 * app is documented and nothing else is; scripts/generate-contract.ts turns it into the
 * TypeScript of the widget's client and of the host client.
 */
import { z } from 'zod';
import { idempotencyKey } from '../contract/index.js';
import { requestSchemas, responseSchemas } from '../contract/registry.js';
import { common, HEADERS, scimCommon, unauthorized, type Answer, type Operation, type ResponseHeader, type Schema } from './openapi/answers.js';
import { HOST_OPERATIONS } from './openapi/host.js';
import { PROVIDER_OPERATIONS } from './openapi/providers.js';
import { ACCEPT_OPERATIONS, INVITE_OPERATIONS } from './openapi/invites.js';
import { SYNC_OPERATIONS } from './openapi/sync.js';
import { SCIM_OPERATIONS } from './openapi/scim.js';

/** Every operation of the BFF, once, in the document's order. */
export const OPERATIONS: Operation[] = [
  ...HOST_OPERATIONS,
  ...PROVIDER_OPERATIONS,
  ...INVITE_OPERATIONS,
  ...SYNC_OPERATIONS,
  ...ACCEPT_OPERATIONS,
  ...SCIM_OPERATIONS,
];

const SCHEMA_REF = '#/components/schemas/';
const ref = (id: string): Schema => ({ $ref: `${SCHEMA_REF}${id}` });

/** A JSON Schema without the keys that only make sense for a standalone document. */
function bare(schema: unknown): Schema {
  const { $schema: _s, $id: _i, ...rest } = schema as Schema;
  return rest;
}

/** An inline JSON Schema of what a client sends (parameters). */
const inputSchema = (s: z.ZodType): Schema => bare(z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }));

/** Every named schema: answers as the BFF writes them, request bodies as clients send them. */
function componentSchemas(): Record<string, Schema> {
  const uri = (id: string) => `${SCHEMA_REF}${id}`;
  const answers = z.toJSONSchema(responseSchemas, { io: 'output', uri, unrepresentable: 'any' }).schemas;
  const requests = z.toJSONSchema(requestSchemas, { io: 'input', uri, unrepresentable: 'any' }).schemas;
  const all = new Map<string, Schema>();
  for (const [id, s] of [...Object.entries(answers), ...Object.entries(requests)]) {
    if (all.has(id)) throw new Error(`Two contract schemas are named ${id}`);
    all.set(id, bare(s));
  }
  // By name: the registries list schemas in the order their modules were first imported, which
  // differs between a process that imported the webhooks first and one that did not.
  return Object.fromEntries([...all].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The component a schema was named as; a shape without a name would be written out inline, which the contract does not allow. */
function named(registry: typeof responseSchemas, schema: z.ZodType, what: string): Schema {
  const id = registry.get(schema)?.id;
  if (!id) throw new Error(`${what} must be a named schema of contract/`);
  return ref(id);
}

function parameters(where: 'path' | 'query', schema: z.ZodObject): Schema[] {
  const shape = inputSchema(schema) as { properties: Record<string, Schema>; required?: string[] };
  return Object.entries(shape.properties).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (shape.required ?? []).includes(name),
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
    schema: s,
  }));
}

function response(op: Operation, answer: Answer): Schema {
  const headers: ResponseHeader[] = ['X-Request-Id', ...(answer.headers ?? []), ...(op.idempotent ? (['Idempotent-Replayed'] as const) : [])];
  return {
    description: answer.description,
    headers: Object.fromEntries(headers.map((h) => [h, { $ref: `#/components/headers/${h}` }])),
    ...(answer.json
      ? {
          content: {
            [answer.scim ? 'application/scim+json' : 'application/json']: { schema: named(responseSchemas, answer.json, `${op.operationId}'s answer`) },
          },
        }
      : {}),
    ...(answer.html ? { content: { 'text/html': { schema: { type: 'string' } } } } : {}),
  };
}

function operation(op: Operation): Schema {
  const params = [
    ...(op.params ? parameters('path', op.params) : []),
    ...(op.query ? parameters('query', op.query) : []),
    ...(op.idempotent
      ? [
          {
            name: 'Idempotency-Key',
            in: 'header',
            required: true,
            schema: inputSchema(idempotencyKey),
            description: 'The same for every retry of one submission',
          },
        ]
      : []),
  ];
  const body =
    op.body === 'csv'
      ? { required: true, content: { 'text/csv': { schema: { type: 'string' } } } }
      : op.body
        ? {
            required: true,
            content: {
              [op.auth === 'scim' ? 'application/scim+json' : 'application/json']: { schema: named(requestSchemas, op.body, `${op.operationId}'s body`) },
            },
          }
        : undefined;
  const answers: Record<string, Answer> = {
    ...(op.auth === 'scim' ? scimCommon : common),
    ...(op.auth ? { '401': unauthorized[op.auth] } : {}),
    ...op.responses,
  };
  return {
    operationId: op.operationId,
    summary: op.summary,
    security: op.auth ? [{ [op.auth]: [] }] : [],
    ...(params.length ? { parameters: params } : {}),
    ...(body ? { requestBody: body } : {}),
    responses: Object.fromEntries(Object.entries(answers).map(([status, a]) => [status, response(op, a)])),
  };
}

export interface OpenApiOptions {
  /** Where the BFF's API is mounted (`/api` by default, `/hr/api` under a prefix): the document's one server. */
  basePath?: string;
}

export function openApiDocument({ basePath = '/api' }: OpenApiOptions = {}): Schema {
  const paths: Record<string, Record<string, Schema>> = {};
  for (const op of OPERATIONS) (paths[op.path] ??= {})[op.method] = operation(op);
  return {
    openapi: '3.1.0',
    info: {
      title: 'hr-import BFF',
      version: '1',
      description:
        'Import contacts from HR applications and invite them to an organization, lab or challenge. Errors are `{ error: { code, message, details? } }`, except under /scim/v2, which answers SCIM error bodies (RFC 7644 §3.12).',
    },
    servers: [{ url: basePath.replace(/\/+$/, '') || '/' }],
    components: {
      schemas: componentSchemas(),
      headers: HEADERS,
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'Server-to-server API key (HR_IMPORT_API_KEY; several during a rotation).' },
        session: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'Session token from POST /sessions, scoped to one inviter and one target.',
        },
        scim: {
          type: 'http',
          scheme: 'bearer',
          description: "An organization's SCIM token from POST /organizations/{id}/scim-token, pasted into its identity provider.",
        },
      },
    },
    paths,
  };
}
