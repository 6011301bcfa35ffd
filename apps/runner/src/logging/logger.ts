import type { Redaction } from '@siphon/core';
import { type DestinationStream, type LevelWithSilent, type Logger, pino } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level?: LevelWithSilent;
  secrets: Redaction;
  /** Where lines go; stderr by default (stdout is kept for command output). */
  destination?: { write(line: string): unknown };
  base?: Record<string, unknown>;
}

/**
 * Structured JSON logs. Every finished line goes through core's redaction: the secret values this
 * process knows, and the values of secret-named fields (`"password":"…"`, at any depth),
 * authorization headers, credential query params and URL passwords.
 */
export function createLogger(options: LoggerOptions): Logger {
  const target = options.destination ?? process.stderr;
  const destination: DestinationStream = {
    write(line: string) {
      target.write(options.secrets.text(line));
    },
  };
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'siphon', ...options.base },
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
