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
