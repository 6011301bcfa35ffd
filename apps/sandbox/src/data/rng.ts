/**
 * Deterministic randomness. Every record draws from its own small generator keyed by
 * (seed, resource, index), so any record can be produced on demand in O(1) without
 * generating the ones before it — this is what keeps a million-record resource lazy.
 */

/** Murmur3's 32-bit finaliser: a cheap, well-mixed integer hash. */
export function mix32(value: number): number {
  let h = value | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** FNV-1a over a string: turns resource names into stable numeric keys. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  }
  return h >>> 0;
}

/** Splits any safe integer seed into two 32-bit words so large seeds stay distinct. */
export function seedWords(seed: number): [number, number] {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 0x1_0000_0000) >>> 0;
  return [lo, hi];
}

/** sfc32: a small, fast generator with a 128-bit state; good enough for fake data and fault dice. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...keys: number[]) {
    let h1 = 0x9e3779b9;
    let h2 = 0x243f6a88;
    let h3 = 0xb7e15162;
    for (const key of keys) {
      const [lo, hi] = seedWords(key);
      h1 = mix32(h1 ^ lo);
      h2 = mix32(h2 ^ hi ^ h1);
      h3 = mix32(h3 + h2 + lo);
    }
    this.a = h1;
    this.b = h2;
    this.c = h3;
    this.d = 1;
    for (let i = 0; i < 12; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 0x1_0000_0000;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Money in major units with two decimals, as JSON numbers. */
  money(min: number, max: number): number {
    return Math.round((min + this.next() * (max - min)) * 100) / 100;
  }

  /** `length` lowercase hex digits. */
  hex(length: number): string {
    let out = '';
    while (out.length < length) out += this.uint32().toString(16).padStart(8, '0');
    return out.slice(0, length);
  }
}

/**
 * A keyed bijection on 48-bit integers (a 4-round Feistel network on two 24-bit halves).
 * Analytics ids put it in their first 12 hex digits: they look random yet never collide,
 * and sorting ids by string is sorting these numbers, which can be inverted back to indices.
 */
export class Permutation48 {
  private readonly keys: number[];

  constructor(...keys: number[]) {
    const rng = new Rng(...keys, 0x5eed48);
    this.keys = [rng.uint32(), rng.uint32(), rng.uint32(), rng.uint32()];
  }

  forward(value: number): number {
    let left = Math.floor(value / 0x100_0000) & 0xffffff;
    let right = value & 0xffffff;
    for (const key of this.keys) {
      const next = (left ^ mix32(right ^ key)) & 0xffffff;
      left = right;
      right = next;
    }
    return left * 0x100_0000 + right;
  }

  inverse(value: number): number {
    let left = Math.floor(value / 0x100_0000) & 0xffffff;
    let right = value & 0xffffff;
    for (let i = this.keys.length - 1; i >= 0; i--) {
      const previous = (right ^ mix32(left ^ (this.keys[i] as number))) & 0xffffff;
      right = left;
      left = previous;
    }
    return left * 0x100_0000 + right;
  }
}
