/** The highest offset a transaction wrote to each partition, as its client reports them. */
import type { WrittenOffset } from './port.js';

export class WrittenOffsets {
  private readonly highest = new Map<string, WrittenOffset & { value: bigint }>();

  note(topic: string, partition: number, offset: string | number | bigint): void {
    const value = BigInt(offset);
    if (value < 0n) return;
    const id = `${topic}\u0000${partition}`;
    const known = this.highest.get(id);
    if (!known || value > known.value)
      this.highest.set(id, { topic, partition, offset: String(value), value });
  }

  /** Adds another list, keeping the highest offset per partition. */
  add(offsets: readonly WrittenOffset[]): void {
    for (const o of offsets) this.note(o.topic, o.partition, o.offset);
  }

  list(topic?: string): WrittenOffset[] {
    return [...this.highest.values()]
      .filter((o) => topic === undefined || o.topic === topic)
      .map(({ topic, partition, offset }) => ({ topic, partition, offset }));
  }
}
