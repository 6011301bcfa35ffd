import { z } from 'zod';
import { PaginatorError } from '../errors/paginator-error.js';
import { compileDefinitePath, compilePath } from '../json-path/compile-path.js';

/** Building blocks shared by the strategies' config schemas. */

export const paramName = z.string().min(1, 'expected a non-empty query parameter name');

/** A response path (dotted, Airbyte-style or JSONPath), checked by compiling it. */
export const responsePath = z.string().superRefine((value, ctx) => {
  try {
    compilePath(value);
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      message: PaginatorError.isInstance(error) ? error.message : String(error),
    });
  }
});

/** A path to one place in the JSON request body. */
export const requestBodyPath = z.string().superRefine((value, ctx) => {
  try {
    compileDefinitePath(value);
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      message: PaginatorError.isInstance(error) ? error.message : String(error),
    });
  }
});

export const nonNegativeInt = z.number().int().min(0);
export const positiveInt = z.number().int().positive();

/**
 * A strict config object for one paginator type: unknown keys are errors that list the allowed keys.
 */
export function strictConfig<T extends z.ZodLiteral<string> | z.ZodEnum, S extends z.core.$ZodLooseShape>(
  type: T,
  shape: S,
) {
  const name = type instanceof z.ZodLiteral ? String(type.value) : String(type.options[0]);
  const allowed = ['type', ...Object.keys(shape)].join(', ');
  return z.strictObject({ type, ...shape } as { type: T } & S, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} for paginator type "${name}"; allowed keys: ${allowed}`
        : undefined,
  });
}

/** Flags two keys that must not be used together. */
export function exclusive(ctx: z.core.$RefinementCtx, value: Record<string, unknown>, a: string, b: string) {
  if (value[a] !== undefined && value[b] !== undefined) {
    ctx.addIssue({ code: 'custom', path: [b], message: `use either "${a}" or "${b}", not both` });
  }
}

/** Flags a key that only makes sense with another one. */
export function requires(
  ctx: z.core.$RefinementCtx,
  value: Record<string, unknown>,
  key: string,
  needed: string,
) {
  if (value[key] !== undefined && value[needed] === undefined) {
    ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" needs "${needed}" to be set` });
  }
}
