import { createHash } from 'node:crypto';

/** SHA-256 of a resource's protobuf bytes, in hex: its key in the content-addressed store and its xDS version. */
export function contentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
