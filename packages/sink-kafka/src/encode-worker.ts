/**
 * An encoding worker (run by piscina, see encode-pool.ts): packs a page on the fast path. Compiled
 * codecs are kept per schema version, so a page costs the records' structured clone plus the
 * encoding; the packed bytes go back by structured clone too (one memcpy of the page).
 */

import type { EncodeTask, EncodeTaskResult } from './encode-pool.js';
import { PageBuilder } from './packed.js';
import { compilePageCodec, type PageCodec, packPage } from './page-codec.js';

const codecs = new Map<string, PageCodec>();
const page = new PageBuilder();

export default function encodePage(task: EncodeTask): EncodeTaskResult {
  let codec = codecs.get(task.codecId);
  if (!codec) {
    codec = compilePageCodec(task.spec);
    codecs.set(task.codecId, codec);
  }
  const counts = packPage(codec, task.records, page);
  if (!counts) return { ok: false };
  const packed = page.finish({});
  return { ok: true, bytes: packed.buffer, offsets: packed.offsets, ...counts };
}
