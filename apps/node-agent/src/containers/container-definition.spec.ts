import { proxyContainerSpecSchema } from '@envoy-fleet/domain';
import { CERTS_MOUNT_PATH, containerDefinition } from './container-definition';

const spec = proxyContainerSpecSchema.parse({
  proxyId: '7c1d2a4e-0000-4000-8000-000000000001',
  tenantId: '7c1d2a4e-0000-4000-8000-000000000002',
  xdsNodeId: 'edge-007',
  groupName: 'edge',
  ordinal: 7,
  image: 'envoyproxy/envoy:v1.36.2',
  proxyPort: 10007,
  adminPort: 20007,
  xds: { host: '10.0.0.5', port: 18000 },
  resources: { memoryMib: 256, cpuMillicores: 500 },
  env: { LOG_LEVEL: 'debug', NODE_ID: 'overridden by the bootstrap' },
});
const placement = {
  nodeId: '7c1d2a4e-0000-4000-8000-0000000000aa',
  region: 'eu-west',
  zone: 'eu-west-1a',
  network: 'host',
};

describe(containerDefinition.name, () => {
  it('names the container, sets the bootstrap variables and the limits of seed 000', () => {
    const sut = containerDefinition(placement, spec);

    expect(sut).toMatchObject({
      name: 'envoy-proxy-edge-007',
      image: 'envoyproxy/envoy:v1.36.2',
      network: 'host',
      portBindings: [],
      binds: [],
      memoryBytes: 256 * 1024 * 1024,
      nanoCpus: 500_000_000,
      restartPolicy: 'unless-stopped',
      stopTimeoutSeconds: 30,
    });
    expect([...sut.env].sort()).toEqual(
      [
        'LOG_LEVEL=debug',
        'NODE_ID=edge-007',
        'CLUSTER_NAME=edge',
        'INSTANCE_ID=envoy-proxy-edge-007',
        'CONTROL_PLANE_HOST=10.0.0.5',
        'CONTROL_PLANE_PORT=18000',
        'ADMIN_ADDRESS=127.0.0.1',
        'ADMIN_PORT=20007',
        'PROXY_PORT=10007',
        'ZONE=eu-west-1a',
        'REGION=eu-west',
      ].sort(),
    );
  });

  it('publishes the ports (admin on loopback only) on a network other than the host', () => {
    const sut = containerDefinition(
      { ...placement, network: 'envoy-fleet' },
      { ...spec, zone: 'eu-west-1b' },
    );

    expect(sut.portBindings).toEqual([
      { containerPort: 10007, hostIp: '0.0.0.0', hostPort: 10007 },
      { containerPort: 20007, hostIp: '127.0.0.1', hostPort: 20007 },
    ]);
    expect(sut.env).toEqual(expect.arrayContaining(['ADMIN_ADDRESS=0.0.0.0', 'ZONE=eu-west-1b']));
  });

  it('mounts the xDS client certificates read-only when the spec asks for mTLS', () => {
    const sut = containerDefinition(placement, {
      ...spec,
      xds: { ...spec.xds, tlsDirectory: '/etc/envoy-fleet/certs' },
      resources: { memoryMib: null, cpuMillicores: null },
    });

    expect(sut.binds).toEqual([`/etc/envoy-fleet/certs:${CERTS_MOUNT_PATH}:ro`]);
    expect(sut.env).toEqual(
      expect.arrayContaining([
        `XDS_TLS_CA_FILE=${CERTS_MOUNT_PATH}/ca-cert.pem`,
        `XDS_TLS_CERT_FILE=${CERTS_MOUNT_PATH}/client-cert.pem`,
        `XDS_TLS_KEY_FILE=${CERTS_MOUNT_PATH}/client-key.pem`,
      ]),
    );
    expect(sut.memoryBytes).toBeNull();
    expect(sut.nanoCpus).toBeNull();
  });
});
