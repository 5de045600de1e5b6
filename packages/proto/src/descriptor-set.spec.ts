import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { loadEnvoyDescriptorSet, loadManagementDescriptorSet } from './descriptor-set';

describe(loadEnvoyDescriptorSet.name, () => {
  const files = fromBinary(FileDescriptorSetSchema, loadEnvoyDescriptorSet()).file;
  const byName = new Map(files.map((file) => [file.name, file]));

  it('holds the xDS resources, their extensions and their imports', () => {
    expect([...byName.keys()]).toEqual(
      expect.arrayContaining([
        'envoy/config/listener/v3/listener.proto',
        'envoy/config/route/v3/route.proto',
        'envoy/config/cluster/v3/cluster.proto',
        'envoy/config/endpoint/v3/endpoint.proto',
        'envoy/extensions/transport_sockets/tls/v3/secret.proto',
        'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
        'envoy/extensions/filters/http/rbac/v3/rbac.proto',
        'envoy/extensions/filters/http/fault/v3/fault.proto',
        'google/protobuf/duration.proto',
        'validate/validate.proto',
      ]),
    );
  });

  it('carries the patched StringRules.ignore_empty the Envoy API uses', () => {
    const stringRules = byName
      .get('validate/validate.proto')
      ?.messageType.find((m) => m.name === 'StringRules');

    expect(stringRules?.field.find((f) => f.number === 26)?.name).toBe('ignore_empty');
  });

  it('excludes source info', () => {
    expect(files.every((file) => file.sourceCodeInfo === undefined)).toBe(true);
  });
});

describe(loadManagementDescriptorSet.name, () => {
  const files = fromBinary(FileDescriptorSetSchema, loadManagementDescriptorSet()).file;

  it('holds the management API and the well-known types it imports, nothing of Envoy', () => {
    const names = files.map((file) => file.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'envoyfleet/v1/control_plane.proto',
        'envoyfleet/v1/configs.proto',
        'google/protobuf/struct.proto',
        'google/protobuf/field_mask.proto',
      ]),
    );
    expect(names.some((name) => name.startsWith('envoy/'))).toBe(false);
  });

  it('declares ControlPlaneService', () => {
    const controlPlane = files.find((file) => file.name === 'envoyfleet/v1/control_plane.proto');
    expect(controlPlane?.service.map((service) => service.name)).toEqual(['ControlPlaneService']);
  });
});
