import { describe, expect, it } from 'vitest';
import {
  keyAt,
  PageBuilder,
  packedBytes,
  packedCount,
  splitPacked,
  unpack,
  valueAt,
} from '../../src/packed.js';

function text(value: string) {
  return (buffer: Buffer, offset: number): number => {
    const bytes = Buffer.byteLength(value);
    if (offset + bytes > buffer.length) return buffer.length - offset - bytes;
    return offset + buffer.write(value, offset);
  };
}

/** A page of `n` messages "k<i>" → "value <i>", message 1 a tombstone. */
function page(n: number, initialBytes = 8) {
  const builder = new PageBuilder(initialBytes, 1);
  for (let i = 0; i < n; i++) {
    const [ks, ke] = builder.write(text(`k${i}`));
    if (i === 1) builder.add(ks, ke, -1, -1);
    else {
      const [vs, ve] = builder.write(text(`value ${i}`));
      builder.add(ks, ke, vs, ve);
    }
  }
  return builder.finish({ 'siphon.run': 'r1' });
}

describe('packed pages', () => {
  it('keeps every key and value of a page in one buffer, growing it as needed', () => {
    const packed = page(5);
    expect(packedCount(packed)).toBe(5);
    expect(unpack(packed).map((m) => [m.key?.toString(), m.value?.toString() ?? null])).toEqual([
      ['k0', 'value 0'],
      ['k1', null],
      ['k2', 'value 2'],
      ['k3', 'value 3'],
      ['k4', 'value 4'],
    ]);
    // Views of the page's buffer, not copies.
    expect(keyAt(packed, 3)?.buffer).toBe(packed.buffer.buffer);
    expect(valueAt(packed, 1)).toBeNull();
    expect(packedBytes(packed)).toBe(packed.buffer.length);
    expect(unpack(packed)[0]?.headers).toEqual({ 'siphon.run': 'r1' });
  });

  it('drops a message rewound before it was added, and starts the next page empty', () => {
    const builder = new PageBuilder(64, 4);
    const [ks, ke] = builder.write(text('a'));
    const [vs, ve] = builder.write(text('A'));
    builder.add(ks, ke, vs, ve);
    const mark = builder.position;
    builder.write(text('unwritable'));
    builder.rewind(mark);
    const first = builder.finish({});
    expect(first.buffer.toString()).toBe('aA');
    const [ks2, ke2] = builder.write(text('b'));
    builder.add(ks2, ke2, -1, -1);
    const second = builder.finish({});
    expect(unpack(second).map((m) => m.key?.toString())).toEqual(['b']);
    // The first page is its own buffer: the builder's reuse does not change it.
    expect(unpack(first).map((m) => m.key?.toString())).toEqual(['a']);
  });

  it('cuts a page into parts under a byte limit, in order, each with at least one message', () => {
    const packed = page(6);
    const parts = splitPacked(packed, 20, 5);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.flatMap((p) => unpack(p).map((m) => m.key?.toString()))).toEqual([
      'k0',
      'k1',
      'k2',
      'k3',
      'k4',
      'k5',
    ]);
    for (const part of parts) {
      expect(packedCount(part)).toBeGreaterThan(0);
      if (packedCount(part) > 1) expect(packedBytes(part) + packedCount(part) * 5).toBeLessThanOrEqual(20);
    }
    // A message larger than the limit still goes, alone.
    expect(splitPacked(packed, 1, 0).map(packedCount)).toEqual([1, 1, 1, 1, 1, 1]);
  });
});
