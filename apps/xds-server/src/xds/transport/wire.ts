/**
 * Just enough of the protobuf wire format to assemble discovery responses from pre-encoded parts: a
 * message is the concatenation of its fields, so shared parts are encoded once and joined per stream.
 */

const WIRE_TYPE_LENGTH_DELIMITED = 2;

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** A length-delimited field (string, bytes or embedded message) with its tag. */
export function bytesField(fieldNumber: number, value: Uint8Array): Buffer {
  return Buffer.concat([
    varint((fieldNumber << 3) | WIRE_TYPE_LENGTH_DELIMITED),
    varint(value.byteLength),
    value,
  ]);
}

export function stringField(fieldNumber: number, value: string): Buffer {
  return bytesField(fieldNumber, Buffer.from(value, 'utf8'));
}

/** A string field, or nothing for '' (proto3 leaves default values out). */
export function optionalStringField(fieldNumber: number, value: string): Buffer {
  return value === '' ? Buffer.alloc(0) : stringField(fieldNumber, value);
}

/**
 * `message` followed by a string field, in one allocation: how a shared response body gets the nonce of
 * one stream (the body is copied once; no intermediate buffers).
 */
export function appendStringField(message: Buffer, fieldNumber: number, value: string): Buffer {
  const length = Buffer.byteLength(value, 'utf8');
  const tag = (fieldNumber << 3) | WIRE_TYPE_LENGTH_DELIMITED;
  const out = Buffer.allocUnsafe(message.byteLength + varintSize(tag) + varintSize(length) + length);
  let offset = message.copy(out, 0);
  offset = writeVarint(out, offset, tag);
  offset = writeVarint(out, offset, length);
  out.write(value, offset, 'utf8');
  return out;
}

function varintSize(value: number): number {
  let size = 1;
  for (let rest = value; rest > 0x7f; rest >>>= 7) size += 1;
  return size;
}

function writeVarint(out: Buffer, start: number, value: number): number {
  let offset = start;
  let rest = value;
  while (rest > 0x7f) {
    out[offset++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  out[offset++] = rest;
  return offset;
}
