import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as protobuf from 'protobufjs';

/**
 * An independent decoder for the codec's output: protobufjs, loading the Envoy `.proto` files as
 * @grpc/grpc-js-xds ships them (unpatched) with its own parser, and the well-known types from
 * protobufjs itself. `decode` turns protobufjs's view of the bytes into proto3 JSON with proto field
 * names, so it compares directly with what the codec decodes.
 */
const PROTO_FILES = [
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/http/fault/v3/fault.proto',
  'envoy/extensions/filters/http/rbac/v3/rbac.proto',
  'envoy/extensions/access_loggers/file/v3/file.proto',
];

const WRAPPER_DEFAULTS: Readonly<Record<string, unknown>> = {
  '.google.protobuf.DoubleValue': 0,
  '.google.protobuf.FloatValue': 0,
  '.google.protobuf.Int64Value': '0',
  '.google.protobuf.UInt64Value': '0',
  '.google.protobuf.Int32Value': 0,
  '.google.protobuf.UInt32Value': 0,
  '.google.protobuf.BoolValue': false,
  '.google.protobuf.StringValue': '',
  '.google.protobuf.BytesValue': '',
};

function loadRoot(): protobuf.Root {
  const deps = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
  const includeDirs = [
    ...['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((dir) => join(deps, dir)),
    dirname(require.resolve('protobufjs/package.json')),
  ];
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    if (target in protobuf.common) return target;
    const found = includeDirs.map((dir) => join(dir, target)).find((file) => existsSync(file));
    if (!found) throw new Error(`${target} is not in the shipped protos`);
    return found;
  };
  root.loadSync(PROTO_FILES, { keepCase: true });
  root.resolveAll();
  return root;
}

function formatDuration(value: Record<string, unknown>): string {
  const rawSeconds = value['seconds'];
  const seconds = typeof rawSeconds === 'string' || typeof rawSeconds === 'number' ? String(rawSeconds) : '0';
  const nanos = Number(value['nanos'] ?? 0);
  if (nanos === 0) return `${seconds}s`;
  return `${seconds}.${String(nanos)
    .padStart(9, '0')
    .replace(/(?:000)+$/, '')}s`;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export class ProtobufjsOracle {
  private readonly root = loadRoot();

  decode(messageType: string, bytes: Uint8Array): unknown {
    const type = this.root.lookupType(messageType);
    const object: unknown = type.toObject(type.decode(bytes), { json: true, longs: String, enums: String });
    return this.normalizeMessage(type, object);
  }

  private normalizeMessage(type: protobuf.Type, object: unknown): Record<string, unknown> {
    if (!isRecord(object)) throw new Error(`${type.fullName}: expected an object`);
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(object)) {
      const field = type.fields[key];
      if (!field) throw new Error(`${type.fullName} has no field ${key}`);
      const resolved = field.resolvedType;
      if (field.map && isRecord(value)) {
        result[key] = Object.fromEntries(
          Object.entries(value).map(([k, v]) => [k, this.normalizeValue(resolved, v)]),
        );
      } else if (field.repeated && Array.isArray(value)) {
        result[key] = value.map((item: unknown) => this.normalizeValue(resolved, item));
      } else {
        result[key] = this.normalizeValue(resolved, value);
      }
    }
    return result;
  }

  private normalizeValue(type: protobuf.Type | protobuf.Enum | null, value: unknown): unknown {
    if (!(type instanceof protobuf.Type)) return value;
    if (!isRecord(value)) throw new Error(`${type.fullName}: expected an object`);
    if (type.fullName === '.google.protobuf.Duration') return formatDuration(value);
    if (type.fullName in WRAPPER_DEFAULTS) return value['value'] ?? WRAPPER_DEFAULTS[type.fullName];
    if (type.fullName === '.google.protobuf.Any') {
      const { '@type': typeUrl, ...fields } = value;
      if (typeof typeUrl !== 'string') throw new Error('Any without @type');
      const inner = this.root.lookupType(typeUrl.slice(typeUrl.lastIndexOf('/') + 1));
      return { ...this.normalizeMessage(inner, fields), '@type': typeUrl };
    }
    if (type.fullName.startsWith('.google.protobuf.') && type.fullName !== '.google.protobuf.Empty') {
      throw new Error(`the oracle does not map ${type.fullName}`);
    }
    return this.normalizeMessage(type, value);
  }
}
