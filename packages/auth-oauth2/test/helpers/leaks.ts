import { inspect } from 'node:util';
import { expect } from 'vitest';

/** Every way an error is likely to be written out: JSON, util.inspect (with causes), message, stack. */
export function serialiseError(error: unknown): string {
  const parts = [JSON.stringify(error), inspect(error, { depth: 10, showHidden: false })];
  if (error instanceof Error) {
    parts.push(error.message, String(error.stack));
    const enumerable: Record<string, unknown> = {};
    for (const key of Object.keys(error))
      enumerable[key] = (error as unknown as Record<string, unknown>)[key];
    parts.push(JSON.stringify(enumerable));
    for (let cause = error.cause, depth = 0; cause !== undefined && depth < 6; depth++) {
      parts.push(inspect(cause, { depth: 10 }), JSON.stringify(cause) ?? '');
      cause = cause instanceof Error ? cause.cause : undefined;
    }
  }
  return parts.join('\n');
}

export function expectNoSecrets(error: unknown, secrets: string[]): void {
  const text = serialiseError(error);
  for (const secret of secrets) {
    expect(text, `a serialised error reveals a secret (${secret.slice(0, 3)}…)`).not.toContain(secret);
  }
}

/** Waits for the promise to reject and returns the error. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}
