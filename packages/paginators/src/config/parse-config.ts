import type { z } from 'zod';
import { PaginatorConfigError } from '../errors/paginator-config-error.js';

/** Validates a config with its schema, throwing one error that lists every issue by key. */
export function parseConfig<S extends z.ZodType>(schema: S, value: unknown, resource?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new PaginatorConfigError(
    result.error.issues.map((issue) => ({ path: issue.path, message: issue.message })),
    resource,
  );
}
