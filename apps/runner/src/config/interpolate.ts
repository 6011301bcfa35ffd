import { readFileSync } from 'node:fs';
import path from 'node:path';
import { looksSecret, looksSecretEnvName, SiphonError } from '@siphon/core';

/**
 * `${NAME}`, `${NAME:-default}` and `${file:/path}` in one string. `$${` stands for a literal `${`.
 * Hand-written because it must report which reference failed and mark what came from a secret;
 * the grammar is small enough that a library would add more than it saves.
 */
const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface InterpolationContext {
  env: Record<string, string | undefined>;
  /** Directory that relative `${file:...}` paths are read from (the pipelines file's). */
  baseDir: string;
  /** Receives every value that should never be logged. */
  onSecret(value: string): void;
}

/** A `${...}` reference in the pipelines file that cannot be resolved. */
export class InterpolationError extends SiphonError {
  constructor(message: string) {
    super(message, { code: 'CONFIG_INTERPOLATION' });
  }
}

/**
 * Replaces every reference in `text`. `keyIsSensitive` tells whether the key holding the text
 * names a secret, so that plain environment values under such a key count as secrets too.
 */
export function interpolate(text: string, context: InterpolationContext, keyIsSensitive = false): string {
  if (!text.includes('${')) return text;
  return text.replace(REFERENCE, (whole, body: string | undefined) => {
    if (body === undefined) return '${';
    return resolveReference(body.trim(), whole, context, keyIsSensitive);
  });
}

function resolveReference(
  body: string,
  whole: string,
  context: InterpolationContext,
  sensitiveKey: boolean,
): string {
  if (body.startsWith('file:')) {
    const file = body.slice('file:'.length).trim();
    if (file === '') throw new InterpolationError(`${whole}: a file path is expected after "file:"`);
    const full = path.resolve(context.baseDir, file);
    let value: string;
    try {
      value = readFileSync(full, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new InterpolationError(`${whole}: cannot read secret file ${full} (${code})`);
    }
    context.onSecret(value);
    return value;
  }
  const split = body.indexOf(':-');
  const name = split === -1 ? body : body.slice(0, split);
  if (!ENV_NAME.test(name)) {
    throw new InterpolationError(
      `${whole}: expected \${NAME}, \${NAME:-default} or \${file:/path}, where NAME is an environment variable name`,
    );
  }
  const value = context.env[name];
  if (value !== undefined && value !== '') {
    if (sensitiveKey || looksSecretEnvName(name)) context.onSecret(value);
    return value;
  }
  if (split !== -1) return body.slice(split + 2);
  throw new InterpolationError(`environment variable ${name} is not set (referenced as ${whole})`);
}

export function isSensitiveKey(key: string): boolean {
  return looksSecret(key);
}
