/**
 * A zstd codec for the harness's own kafkajs clients (the floor loop and the topic tally), on Node's
 * zlib. The floor must not run Siphon code, so it cannot borrow the sink's codec; both sides then
 * compress the same way, as the sink's default does.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import kafkajs from 'kafkajs';

const { CompressionCodecs, CompressionTypes } = kafkajs;

type WithZstd = typeof zlib & {
  zstdCompress: (buffer: Buffer, callback: (error: Error | null, result: Buffer) => void) => void;
  zstdDecompress: (buffer: Buffer, callback: (error: Error | null, result: Buffer) => void) => void;
};

export function useZstd(): void {
  const z = zlib as WithZstd;
  const compress = promisify(z.zstdCompress);
  const decompress = promisify(z.zstdDecompress);
  const codec = {
    compress: (encoder: { buffer: Buffer }) => compress(encoder.buffer),
    decompress: (buffer: Buffer) => decompress(buffer),
  };
  (CompressionCodecs as unknown as Record<number, () => typeof codec>)[CompressionTypes.ZSTD] = () => codec;
}
