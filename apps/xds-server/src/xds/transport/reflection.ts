import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { type FileDescriptorProto, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { loadFileDescriptorSetFromBuffer, loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import type { Server } from '@grpc/grpc-js';
import { loadEnvoyDescriptorSet } from '@envoy-fleet/proto';
import { protoPath as healthProtoPath } from 'grpc-health-check';

/** The files that define the services served on the xDS port; reflection describes them and what they import. */
const SERVED_FILES = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/service/listener/v3/lds.proto',
  'envoy/service/route/v3/rds.proto',
  'envoy/service/cluster/v3/cds.proto',
  'envoy/service/endpoint/v3/eds.proto',
  'envoy/service/secret/v3/sds.proto',
  'envoy/service/status/v3/csds.proto',
];

/** Adds gRPC server reflection (v1 and v1alpha) for the xDS, CSDS and health services. */
export function addReflection(server: Server): void {
  const xds = loadFileDescriptorSetFromBuffer(Buffer.from(servedDescriptorSet()));
  const health: PackageDefinition = loadSync(healthProtoPath);
  new ReflectionService({ ...xds, ...health }).addToServer(server);
}

/** The Envoy descriptor set cut down to the served files and their transitive imports. */
function servedDescriptorSet(): Uint8Array {
  const all = fromBinary(FileDescriptorSetSchema, loadEnvoyDescriptorSet());
  const byName = new Map<string, FileDescriptorProto>(all.file.map((file) => [file.name, file]));
  const kept = new Map<string, FileDescriptorProto>();
  const visit = (name: string) => {
    if (kept.has(name)) return;
    const file = byName.get(name);
    if (file === undefined) throw new Error(`the Envoy descriptor set lacks ${name}`);
    kept.set(name, file);
    file.dependency.forEach(visit);
  };
  SERVED_FILES.forEach(visit);
  return toBinary(FileDescriptorSetSchema, { ...all, file: [...kept.values()] });
}
