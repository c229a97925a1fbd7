/** `GET /health` and the document itself. */
import { z } from 'zod';
import { answer } from './registry.js';

export const health = answer('Health', z.object({ ok: z.literal(true) }).strict());
export type Health = z.infer<typeof health>;

/** Only its outline: the document describes itself, and tools read the rest. */
export const openApiOutline = answer('OpenApiDocument', z.looseObject({ openapi: z.literal('3.1.0'), paths: z.record(z.string(), z.unknown()) }));
