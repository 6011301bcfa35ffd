import { KafkaSinkError } from './errors.js';
/**
 * The Confluent wire format every Confluent-compatible deserializer expects: magic byte 0, the
 * schema id as a 4-byte big-endian unsigned integer, then the Avro binary body.
 */
export const MAGIC_BYTE = 0;
export const WIRE_HEADER_BYTES = 5;

export function toWireFormat(schemaId: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(WIRE_HEADER_BYTES + body.length);
  out[0] = MAGIC_BYTE;
  out.writeUInt32BE(schemaId, 1);
  body.copy(out, WIRE_HEADER_BYTES);
  return out;
}

export function fromWireFormat(message: Buffer): { schemaId: number; body: Buffer } {
  if (message.length < WIRE_HEADER_BYTES || message[0] !== MAGIC_BYTE) {
    throw new KafkaSinkError(
      'DECODE',
      `not in the Confluent wire format (magic byte ${message[0]}, ${message.length} bytes)`,
    );
  }
  return { schemaId: message.readUInt32BE(1), body: message.subarray(WIRE_HEADER_BYTES) };
}

/**
 * Writes a framed value at `offset` (avsc's `Type#encode` contract: the end offset, or a negative
 * shortfall when `buffer` is too small).
 */
export function writeWire(
  schemaId: number,
  body: (buffer: Buffer, offset: number) => number,
  buffer: Buffer,
  offset: number,
): number {
  if (offset + WIRE_HEADER_BYTES > buffer.length) return buffer.length - offset - WIRE_HEADER_BYTES - 1024;
  buffer[offset] = MAGIC_BYTE;
  buffer.writeUInt32BE(schemaId, offset + 1);
  return body(buffer, offset + WIRE_HEADER_BYTES);
}
