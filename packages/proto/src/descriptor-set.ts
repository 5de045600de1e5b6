import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where the generated FileDescriptorSet lives: src/gen/ when running from sources, dist/gen/ (copied
 * there by `build`) when running compiled code; either way beside this module.
 */
export const ENVOY_DESCRIPTOR_SET_PATH = join(__dirname, 'gen', 'envoy-descriptors.binpb');

/**
 * The binary `google.protobuf.FileDescriptorSet` (imports included, source info excluded) of every
 * Envoy v3 resource and extension the pinned Envoy API defines, with the xds, udpa, validate and
 * well-known types they use. Read from disk on every call: callers build their registry once.
 */
export function loadEnvoyDescriptorSet(): Uint8Array {
  try {
    return readFileSync(ENVOY_DESCRIPTOR_SET_PATH);
  } catch (error) {
    throw new Error(
      `Envoy descriptor set missing at ${ENVOY_DESCRIPTOR_SET_PATH}: run \`pnpm --filter @envoy-fleet/proto generate\` ` +
        `(and \`build\` for dist/). ${(error as Error).message}`,
    );
  }
}
