/**
 * Encoding off the main thread (`producer.encodeWorkers`): a small piscina pool of worker threads
 * that pack pages on the fast path (page-codec.ts). The records go to a worker by structured clone,
 * which on the main thread costs about a third of encoding them there; the packed page comes back
 * as one buffer. Off by default: see the README for where it pays.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { JsonRecord } from '@siphon/core';
import { Piscina } from 'piscina';
import type { PageCodecSpec } from './page-codec.js';

export interface EncodeTask {
  /** Names the codec version in the worker's cache (value and key schema ids). */
  codecId: string;
  spec: PageCodecSpec;
  records: JsonRecord[];
}

export type EncodeTaskResult =
  | { ok: true; bytes: Uint8Array; offsets: Int32Array; records: number; tombstones: number }
  | { ok: false };

/** The worker's compiled module; from the sources (tests) it is the built one in dist/. */
function workerFile(): string {
  const here = new URL('./encode-worker.js', import.meta.url);
  if (existsSync(here)) return fileURLToPath(here);
  return fileURLToPath(new URL('../dist/encode-worker.js', import.meta.url));
}

export class EncodePool {
  private readonly pool: Piscina<EncodeTask, EncodeTaskResult>;

  constructor(threads: number) {
    this.pool = new Piscina({
      filename: workerFile(),
      minThreads: threads,
      maxThreads: threads,
      // One page in flight per worker plus one queued: pages of one resource are encoded in order anyway.
      maxQueue: threads * 4,
      idleTimeout: 60_000,
    });
  }

  run(task: EncodeTask): Promise<EncodeTaskResult> {
    return this.pool.run(task);
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
