/**
 * A page of messages packed into one buffer (see `PackedMessages` in port.ts): how the encoder
 * writes it, how the writer cuts it into batches, and how a client that needs one object per
 * message unpacks it. Views only: nothing here copies a key or a value.
 */
import type { KafkaMessage, PackedMessages } from './port.js';

/** Offsets per message: key start, key end, value start, value end. */
export const SLOTS = 4;

export function packedCount(packed: PackedMessages): number {
  return packed.offsets.length / SLOTS;
}

/** Key + value bytes of the packed messages. */
export function packedBytes(packed: PackedMessages): number {
  const o = packed.offsets;
  let bytes = 0;
  for (let i = 0; i < o.length; i += SLOTS) {
    if ((o[i] as number) >= 0) bytes += (o[i + 1] as number) - (o[i] as number);
    if ((o[i + 2] as number) >= 0) bytes += (o[i + 3] as number) - (o[i + 2] as number);
  }
  return bytes;
}

/** Message `i`'s key (null when it has none). */
export function keyAt(packed: PackedMessages, i: number): Buffer | null {
  const start = packed.offsets[i * SLOTS] as number;
  return start < 0 ? null : packed.buffer.subarray(start, packed.offsets[i * SLOTS + 1]);
}

/** Message `i`'s value (null for a tombstone). */
export function valueAt(packed: PackedMessages, i: number): Buffer | null {
  const start = packed.offsets[i * SLOTS + 2] as number;
  return start < 0 ? null : packed.buffer.subarray(start, packed.offsets[i * SLOTS + 3]);
}

/** Messages `from` to `to` (exclusive), sharing the buffer. */
export function slicePacked(packed: PackedMessages, from: number, to: number): PackedMessages {
  return { ...packed, offsets: packed.offsets.subarray(from * SLOTS, to * SLOTS) };
}

/** One object per message, for clients that take nothing else (kafkajs) and for the fake. */
export function unpack(packed: PackedMessages): KafkaMessage[] {
  const n = packedCount(packed);
  const out = new Array<KafkaMessage>(n);
  for (let i = 0; i < n; i++)
    out[i] = { key: keyAt(packed, i), value: valueAt(packed, i), headers: packed.headers };
  return out;
}

/** Cuts a packed page into parts of at most `maxBytes` (each at least one message), counting `overhead` per message. */
export function splitPacked(packed: PackedMessages, maxBytes: number, overhead: number): PackedMessages[] {
  const n = packedCount(packed);
  const o = packed.offsets;
  const parts: PackedMessages[] = [];
  let from = 0;
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const k = i * SLOTS;
    const size =
      overhead +
      ((o[k] as number) >= 0 ? (o[k + 1] as number) - (o[k] as number) : 0) +
      ((o[k + 2] as number) >= 0 ? (o[k + 3] as number) - (o[k + 2] as number) : 0);
    if (i > from && bytes + size > maxBytes) {
      parts.push(slicePacked(packed, from, i));
      from = i;
      bytes = 0;
    }
    bytes += size;
  }
  if (n > from) parts.push(slicePacked(packed, from, n));
  return parts;
}

/**
 * Writes a page's messages into one growing buffer. `begin` opens a message; a writer callback
 * puts bytes at an offset and returns the end offset, or a negative shortfall (avsc's
 * `Type#encode` contract), after which the buffer grows and the callback runs again.
 */
export class PageBuilder {
  private buffer: Buffer;
  private offsets: Int32Array;
  private count = 0;
  private end = 0;

  constructor(bytes = 256 * 1024, messages = 256) {
    this.buffer = Buffer.allocUnsafe(bytes);
    this.offsets = new Int32Array(messages * SLOTS);
  }

  get messages(): number {
    return this.count;
  }

  /** Writes `write`'s bytes at the end; returns [start, end). */
  write(write: (buffer: Buffer, offset: number) => number): [number, number] {
    const start = this.end;
    for (;;) {
      const end = write(this.buffer, start);
      if (end >= 0) {
        this.end = end;
        return [start, end];
      }
      this.grow(this.buffer.length - end);
    }
  }

  /** Forgets everything written since the last `finish`. */
  reset(): void {
    this.count = 0;
    this.end = 0;
  }

  /** Drops what was written since `mark` (a record that turned out unwritable). */
  rewind(mark: number): void {
    this.end = mark;
  }

  get position(): number {
    return this.end;
  }

  bytesOf(start: number, end: number): Buffer {
    return this.buffer.subarray(start, end);
  }

  /** Records a message from spans already written; -1 starts mean null. */
  add(keyStart: number, keyEnd: number, valueStart: number, valueEnd: number): void {
    if ((this.count + 1) * SLOTS > this.offsets.length) {
      const grown = new Int32Array(this.offsets.length * 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    const k = this.count * SLOTS;
    this.offsets[k] = keyStart;
    this.offsets[k + 1] = keyEnd;
    this.offsets[k + 2] = valueStart;
    this.offsets[k + 3] = valueEnd;
    this.count++;
  }

  /**
   * The page: its own buffer, exactly the bytes written (one copy per page, so the builder's
   * buffer can be reused for the next page while the producer still holds this one).
   */
  finish(headers: PackedMessages['headers']): PackedMessages {
    const packed: PackedMessages = {
      buffer: Buffer.from(this.buffer.subarray(0, this.end)),
      offsets: this.offsets.slice(0, this.count * SLOTS),
      headers,
    };
    this.count = 0;
    this.end = 0;
    return packed;
  }

  private grow(atLeast: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, atLeast));
    this.buffer.copy(next, 0, 0, this.end);
    this.buffer = next;
  }
}
