import zlib from 'node:zlib';

export type ZstdZlib = typeof zlib & {
  zstdCompress?: (
    buffer: Buffer,
    options: object,
    callback: (error: Error | null, result: Buffer) => void,
  ) => void;
  zstdDecompress?: (buffer: Buffer, callback: (error: Error | null, result: Buffer) => void) => void;
  constants: typeof zlib.constants & { ZSTD_c_compressionLevel?: number };
};

/** Whether this Node has zlib zstd (Node >= 22.15 / 23.8). */
export function zstdAvailable(): boolean {
  const z = zlib as ZstdZlib;
  return typeof z.zstdCompress === 'function' && typeof z.zstdDecompress === 'function';
}
