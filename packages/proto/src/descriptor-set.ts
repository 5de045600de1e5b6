import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where the generated FileDescriptorSet lives: src/gen/ when running from sources, dist/gen/ (copied
 * there by `build`) when running compiled code; either way beside this module.
 */
export const ENVOY_DESCRIPTOR_SET_PATH = join(__dirname, 'gen', 'envoy-descriptors.binpb');

/** The management API's descriptor set (proto/envoyfleet/v1 and the well-known types it imports), beside it. */
export const MANAGEMENT_DESCRIPTOR_SET_PATH = join(__dirname, 'gen', 'management-descriptors.binpb');

/**
 * The binary `google.protobuf.FileDescriptorSet` (imports included, source info excluded) of every
 * Envoy v3 resource and extension the pinned Envoy API defines, with the xds, udpa, validate and
 * well-known types they use. Read from disk on every call: callers build their registry once.
 */
export function loadEnvoyDescriptorSet(): Uint8Array {
  return readDescriptorSet('Envoy', ENVOY_DESCRIPTOR_SET_PATH);
}

/**
 * The binary `google.protobuf.FileDescriptorSet` (imports included, source info excluded) of the
 * management API, `envoyfleet.v1`: what its server describes through gRPC reflection.
 */
export function loadManagementDescriptorSet(): Uint8Array {
  return readDescriptorSet('management', MANAGEMENT_DESCRIPTOR_SET_PATH);
}

function readDescriptorSet(name: string, path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(
      `${name} descriptor set missing at ${path}: run \`pnpm --filter @envoy-fleet/proto generate\` ` +
        `(and \`build\` for dist/). ${(error as Error).message}`,
    );
  }
}
