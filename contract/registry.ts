/**
 * Where the contract's named schemas are kept for bff/openapi.ts: each becomes one entry of the
 * document's `components.schemas`, referenced wherever it is used, so the generated TypeScript
 * (contract/openapi-types.ts) has one named type per shape.
 *
 * Answers are described as the BFF writes them (zod's output side, closed objects); request
 * bodies as a client may send them (the input side, before defaults and coercion).
 */
import { z } from 'zod';

export interface ComponentMeta {
  id: string;
  description?: string;
}

export const responseSchemas = z.registry<ComponentMeta>();
export const requestSchemas = z.registry<ComponentMeta>();

/** Names an answer's schema (or a part of several answers) in the document. */
export function answer<T extends z.ZodType>(id: string, schema: T, description?: string): T {
  responseSchemas.add(schema, description ? { id, description } : { id });
  return schema;
}

/** Names a request body's schema in the document. */
export function request<T extends z.ZodType>(id: string, schema: T, description?: string): T {
  requestSchemas.add(schema, description ? { id, description } : { id });
  return schema;
}
