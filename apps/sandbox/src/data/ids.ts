import { hashString, mix32, Permutation48 } from './rng.js';

/**
 * Billing ids are 15-digit strings (`903000000045027`) that grow with the record index, so
 * sorting them as strings is sorting by index. `code` keeps resources apart.
 */
export function billingId(code: number, n: number): string {
  // Built as prefix + 10 digits: small integers print much faster than 15-digit doubles.
  const tail = n * 16 + (mix32(n ^ (code << 24)) & 15);
  if (tail >= 10_000_000_000) throw new RangeError(`billing id space exhausted at index ${n}`);
  return `${BILLING_PREFIXES[code] ?? `903${String(code).padStart(2, '0')}`}${String(tail).padStart(10, '0')}`;
}

const BILLING_PREFIXES = Array.from({ length: 100 }, (_, code) => `903${String(code).padStart(2, '0')}`);

/** User-chosen codes (plan_code, addon_code, coupon_code): fixed width, so string order is index order. */
export function codeId(prefix: string, n: number): string {
  return `${prefix}${String(n).padStart(8, '0')}`;
}

/**
 * Deterministic version-4 UUIDs per (seed, resource). The first 48 bits are a keyed
 * permutation of the index: unique, random-looking, and sortable back to the index.
 */
export class UuidFactory {
  private readonly permutation: Permutation48;
  private readonly salt: number;

  constructor(seed: number, scope: string) {
    this.salt = hashString(scope);
    this.permutation = new Permutation48(seed, this.salt);
  }

  uuid(index: number): string {
    const head = this.permutation.forward(index);
    const hi = Math.floor(head / 0x1_0000);
    const lo = head % 0x1_0000;
    const t1 = mix32(index ^ this.salt);
    const t2 = mix32(t1 + 0x6a09e667);
    const t3 = mix32(t2 + 0xbb67ae85);
    const variant = (8 + (t1 & 3)).toString(16);
    return (
      `${hex(hi, 8)}-${hex(lo, 4)}-4${hex(t1 >>> 20, 3)}-${variant}${hex((t1 >>> 8) & 0xfff, 3)}-` +
      `${hex(t2 >>> 8, 6)}${hex(t3 >>> 8, 6)}`
    );
  }

  /** The number whose order is the UUID's string order. */
  sortKey(index: number): number {
    return this.permutation.forward(index);
  }

  indexOfSortKey(key: number): number {
    return this.permutation.inverse(key);
  }
}

function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, '0');
}
