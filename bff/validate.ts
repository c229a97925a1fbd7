/**
 * zValidator with the project's error shape: a failed check is a 400 naming each bad field.
 */
import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { ZodType } from 'zod';
import { AppError } from './errors.js';

export const validate = <T extends ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) =>
  zValidator(target, schema, (result) => {
    if (!result.success) {
      const fields = result.error.issues.map((i) => ({ path: i.path.join('.') || target, message: i.message }));
      const first = fields[0]!;
      throw new AppError(400, 'invalid_request', `Invalid ${target}: ${first.path}: ${first.message}`, { fields });
    }
  });
