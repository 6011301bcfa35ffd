/**
 * The sandbox's data clock. Base records are created over six years starting at DATA_START;
 * records inserted later, and updates, land after DATA_END, so they always sort as newer.
 */
export const DATA_START = Date.UTC(2019, 0, 1) / 1000;
export const DATA_END = Date.UTC(2025, 0, 1) / 1000;
const DATA_SPAN = DATA_END - DATA_START;

/** The billing organisation's zone: America/Phoenix keeps -0700 all year (no DST). */
const BILLING_OFFSET_SECONDS = -7 * 3600;
const BILLING_OFFSET_TEXT = '-0700';

/** Seconds between two consecutive base records of a resource of `size` records. */
export function creationStep(size: number): number {
  return Math.max(1, Math.floor(DATA_SPAN / Math.max(size, 1)));
}

/**
 * Creation time of record `index` (epoch seconds): strictly increasing with the index,
 * `jitter` in [0, 1) spreads records inside their slot.
 */
export function createdAt(index: number, baseSize: number, jitter: number): number {
  if (index < baseSize) {
    const step = creationStep(baseSize);
    return DATA_START + index * step + Math.floor(jitter * step);
  }
  // Inserted records arrive a minute apart after the base data.
  return DATA_END + (index - baseSize) * 60 + Math.floor(jitter * 60);
}

/** Last update of an untouched base record: some time after creation, never past DATA_END. */
export function baseUpdatedAt(created: number, jitter: number): number {
  return Math.min(created + Math.floor(jitter * 120 * 86400), Math.max(created, DATA_END - 1));
}

/** Update time after the `version`-th mutation: strictly later than any earlier version. */
export function mutatedUpdatedAt(created: number, version: number, index: number): number {
  return Math.max(DATA_END + version * 3600 + (index % 1800), created + version);
}

const DAY_SECONDS = 86400;
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'));
/** `YYYY-MM-DD` per epoch day, built on first use: formatting dominates record generation otherwise. */
const dayStrings = new Map<number, string>();

function dayString(epochDay: number): string {
  let text = dayStrings.get(epochDay);
  if (text === undefined) {
    text = new Date(epochDay * DAY_SECONDS * 1000).toISOString().slice(0, 10);
    if (dayStrings.size < 200_000) dayStrings.set(epochDay, text);
  }
  return text;
}

function dateTimeParts(epochSeconds: number): string {
  const day = Math.floor(epochSeconds / DAY_SECONDS);
  const secondOfDay = epochSeconds - day * DAY_SECONDS;
  const hours = Math.floor(secondOfDay / 3600);
  const minutes = Math.floor((secondOfDay % 3600) / 60);
  const seconds = secondOfDay % 60;
  return `${dayString(day)}T${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}`;
}

/** `2016-06-05T17:38:06-0700`: the billing API's datetime format (offset without colon). */
export function billingDateTime(epochSeconds: number): string {
  return `${dateTimeParts(Math.floor(epochSeconds) + BILLING_OFFSET_SECONDS)}${BILLING_OFFSET_TEXT}`;
}

/** `2016-06-05`: a billing date in the organisation's zone. */
export function billingDate(epochSeconds: number): string {
  return dayString(Math.floor((epochSeconds + BILLING_OFFSET_SECONDS) / DAY_SECONDS));
}

/** `2022-04-29T08:59:51Z`: the analytics API's ISO UTC timestamps. */
export function isoUtc(epochSeconds: number): string {
  return `${dateTimeParts(Math.floor(epochSeconds))}Z`;
}

/** `2022-04-29`: an analytics date (UTC). */
export function isoDate(epochSeconds: number): string {
  return dayString(Math.floor(epochSeconds / DAY_SECONDS));
}

export const DAY = 86400;
