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

/** Writes an Avro body after the wire header; returns the end offset, or a negative shortfall. */
export type BodyWriter = (buffer: Buffer, offset: number) => number;

let scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * Frames a value encoded straight into a reused scratch buffer: one allocation and one copy per
 * message instead of avsc's `toBuffer` plus a second copy behind the header.
 */
export function encodeWire(schemaId: number, write: BodyWriter): Buffer {
  for (;;) {
    scratch[0] = MAGIC_BYTE;
    scratch.writeUInt32BE(schemaId, 1);
    const end = write(scratch, WIRE_HEADER_BYTES);
    if (end >= 0) return Buffer.from(scratch.subarray(0, end));
    scratch = Buffer.allocUnsafe(Math.max(scratch.length * 2, scratch.length - end));
  }
}
