import { z } from 'zod';

/**
 * Durations such as `90s`, `15m`, `1h30m`, `2d` or a number of milliseconds. Hand-written: the
 * grammar is one regex and the messages name the key that held the bad value.
 */
const PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/g;
const WHOLE = /^(\s*\d+(?:\.\d+)?\s*(ms|s|m|h|d)\s*)+$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : undefined;
  const text = input.trim();
  if (/^\d+$/.test(text)) return Number(text);
  if (!WHOLE.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(PART))
    total += Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? Number.NaN);
  return Number.isFinite(total) ? total : undefined;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds ? `${minutes}m${seconds}s` : `${minutes}m`;
}

/**
 * A config value holding a duration (`30s`, `15m`, `1h30m` or milliseconds), parsed to
 * milliseconds; the message says what was expected without echoing more than the value.
 */
export const durationSchema = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration such as 30s, 15m, 1h or 1h30m` });
    return z.NEVER;
  }
  return ms;
});
