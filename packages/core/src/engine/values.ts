const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?$/;

function asTime(value: string): number | undefined {
  if (!DATE_ONLY.test(value) && !DATE_TIME.test(value)) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

/**
 * Orders two cursor values: numbers numerically, date(-time) strings by instant (so different UTC
 * offsets compare correctly), other strings by code unit.
 */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') {
    const ta = asTime(a);
    const tb = asTime(b);
    if (ta !== undefined && tb !== undefined) return ta - tb;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

/** Renders an instant in the same style (offset form, fraction) as `template`. */
function formatLike(template: string, time: number): string {
  const match = DATE_TIME.exec(template);
  const zone = match?.[3];
  const offsetMinutes = zone === undefined || zone === 'Z' ? 0 : offsetOf(zone);
  const local = new Date(time + offsetMinutes * 60_000);
  const date = `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
  const clock = match?.[2] ?? '00:00:00';
  let timeText = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}`;
  if (clock.length > 5) timeText += `:${pad(local.getUTCSeconds())}`;
  const fraction = /\.(\d+)$/.exec(clock)?.[1];
  if (fraction)
    timeText += `.${pad(local.getUTCMilliseconds(), 3).padEnd(fraction.length, '0').slice(0, fraction.length)}`;
  const separator = template.includes('T') ? 'T' : ' ';
  let zoneText = '';
  if (zone === 'Z') zoneText = 'Z';
  else if (zone !== undefined) {
    const sign = offsetMinutes < 0 ? '-' : '+';
    const colon = zone.includes(':') ? ':' : '';
    zoneText = `${sign}${pad(Math.trunc(Math.abs(offsetMinutes) / 60))}${colon}${pad(Math.abs(offsetMinutes) % 60)}`;
  }
  return `${date}${separator}${timeText}${zoneText}`;
}

function offsetOf(zone: string): number {
  const match = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

/**
 * Moves a cursor value back by `lag` (forward when `direction` is -1, for `min` cursors):
 * numbers by `lag`, date-times by `lag` seconds, dates by `lag` days. The result keeps the
 * value's format, so the API gets what it sent. Other values are returned unchanged.
 */
export function applyLag(value: unknown, lag: number, direction: 1 | -1 = 1): unknown {
  if (!lag) return value;
  if (typeof value === 'number') return value - lag * direction;
  if (typeof value !== 'string') return value;
  if (DATE_ONLY.test(value)) {
    const time = Date.parse(`${value}T00:00:00Z`) - lag * direction * 86_400_000;
    return new Date(time).toISOString().slice(0, 10);
  }
  const time = asTime(value);
  return time === undefined ? value : formatLike(value, time - lag * direction * 1000);
}

/** How a value goes into a query param or a path. */
export function paramText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}
