import { type DestinationStream, type LevelWithSilent, type Logger, pino } from 'pino';
import { type SecretValues, scrubCredentials } from './secret-values.js';

export type { Logger };

/** Keys whose values are secret wherever they appear in a log object (up to four levels deep). */
export const SECRET_KEYS = [
  'password',
  'client_secret',
  'clientSecret',
  'refresh_token',
  'refreshToken',
  'access_token',
  'accessToken',
  'token',
  'api_key',
  'apiKey',
  'authorization',
  'Authorization',
  'secret',
  'secrets',
  'key',
  'cert',
  'ca',
];

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const key of SECRET_KEYS) {
    paths.push(key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`);
  }
  paths.push('headers.authorization', '*.headers.authorization', 'req.headers.cookie');
  return paths;
}

export interface LoggerOptions {
  level?: LevelWithSilent;
  secrets: SecretValues;
  /** Where lines go; stderr by default (stdout is kept for command output). */
  destination?: { write(line: string): unknown };
  base?: Record<string, unknown>;
}

/**
 * Structured JSON logs. Secrets are removed twice: pino's `redact` censors known keys, and every
 * finished line is scrubbed of the secret values this process knows and of credential patterns.
 */
export function createLogger(options: LoggerOptions): Logger {
  const target = options.destination ?? process.stderr;
  const destination: DestinationStream = {
    write(line: string) {
      target.write(scrubCredentials(options.secrets.scrub(line)));
    },
  };
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'siphon', ...options.base },
      redact: { paths: redactPaths(), censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: serializeError, error: serializeError },
    },
    destination,
  );
}

/**
 * Errors as `{ type, message, code, cause, stack }`. Unlike pino's default it does not copy every
 * property, so an AggregateError does not repeat each nested error with its stack, and an error
 * object carrying request details cannot drag them into the log.
 */
export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const out: Record<string, unknown> = { type: error.name, message: error.message };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  if (error.cause instanceof Error) out.cause = `${error.cause.name}: ${error.cause.message}`;
  if (error.stack) out.stack = error.stack;
  return out;
}
