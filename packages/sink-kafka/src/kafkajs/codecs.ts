/**
 * ZSTD for kafkajs on Node's built-in zlib (Node >= 22.15 / 23.8), so no native add-on is needed.
 * kafkajs keeps its codecs in a process-wide table; registering is idempotent and only fills the
 * ZSTD slot when nobody else did (e.g. with @kafkajs/zstd).
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import kafkajs from 'kafkajs';
import { KafkaSinkError } from '../errors.js';
import { type ZstdZlib, zstdAvailable } from '../zstd.js';

// kafkajs is CommonJS and `CompressionCodecs` is not detectable as a named export.
const { CompressionCodecs, CompressionTypes } = kafkajs;

let registered = false;

export function registerZstdCodec(level = 3): void {
  if (registered) return;
  const z = zlib as ZstdZlib;
  if (!zstdAvailable()) {
    throw new KafkaSinkError(
      'INVALID_OPTIONS',
      `producer.compression "zstd" needs Node >= 22.15 (zlib zstd); this is Node ${process.versions.node}`,
    );
  }
  const compress = promisify(z.zstdCompress) as (buffer: Buffer, options: object) => Promise<Buffer>;
  const decompress = promisify(z.zstdDecompress) as (buffer: Buffer) => Promise<Buffer>;
  const options = { params: { [z.constants.ZSTD_c_compressionLevel as number]: level } };
  const codec = {
    compress: (encoder: { buffer: Buffer }) => compress(encoder.buffer, options),
    decompress: (buffer: Buffer) => decompress(buffer),
  };
  const codecs = CompressionCodecs as unknown as Record<number, () => unknown>;
  const existing = codecs[CompressionTypes.ZSTD];
  let usable = false;
  try {
    existing?.();
    usable = true;
  } catch {
    // kafkajs's placeholder throws "not implemented": replace it.
  }
  if (!usable) codecs[CompressionTypes.ZSTD] = () => codec;
  registered = true;
}
