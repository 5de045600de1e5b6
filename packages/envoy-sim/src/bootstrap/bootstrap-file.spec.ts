import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapFromDocument, loadBootstrapFile, parseDurationMs } from './bootstrap-file';

/** The Envoy image's bootstrap template (seed 000, 3.1.2) with its variables filled in. */
const SEED_BOOTSTRAP = `
node:
  id: proxy-7
  cluster: edge
  locality:
    zone: eu-1a
  metadata:
    instance_id: i-7
    version: v1
    environment: development
admin:
  access_log_path: /var/log/envoy/admin.log
  address:
    socket_address:
      address: 0.0.0.0
      port_value: 19000
dynamic_resources:
  ads_config:
    api_type: GRPC
    transport_api_version: V3
    grpc_services:
      - envoy_grpc:
          cluster_name: xds_cluster
    set_node_on_first_message_only: true
  lds_config:
    resource_api_version: V3
    ads: {}
  cds_config:
    resource_api_version: V3
    ads: {}
static_resources:
  clusters:
    - name: xds_cluster
      type: STRICT_DNS
      load_assignment:
        cluster_name: xds_cluster
        endpoints:
          - lb_endpoints:
              - endpoint:
                  address:
                    socket_address:
                      address: xds.internal
                      port_value: 18000
      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
          common_tls_context:
            tls_certificates:
              - certificate_chain:
                  filename: /etc/envoy/certs/client-cert.pem
                private_key:
                  filename: /etc/envoy/certs/client-key.pem
            validation_context:
              trusted_ca:
                filename: /etc/envoy/certs/ca-cert.pem
`;

describe('bootstrap-file', () => {
  it("reads the Envoy image's bootstrap: node, the ADS cluster's address and TLS files, admin", () => {
    const dir = mkdtempSync(join(tmpdir(), 'envoy-sim-'));
    const path = join(dir, 'bootstrap.yaml');
    writeFileSync(path, SEED_BOOTSTRAP);
    const sut = loadBootstrapFile(path);
    expect(sut.node).toMatchObject({
      id: 'proxy-7',
      cluster: 'edge',
      locality: { zone: 'eu-1a' },
      metadata: { instance_id: 'i-7', version: 'v1', environment: 'development' },
      userAgentName: 'envoy',
    });
    expect(sut.xds).toEqual({
      host: 'xds.internal',
      port: 18000,
      mode: 'sotw',
      setNodeOnFirstMessageOnly: true,
      initialFetchTimeoutMs: 15_000,
      tls: {
        caFile: '/etc/envoy/certs/ca-cert.pem',
        certFile: '/etc/envoy/certs/client-cert.pem',
        keyFile: '/etc/envoy/certs/client-key.pem',
        serverName: undefined,
      },
    });
    expect(sut.admin).toEqual({ address: '0.0.0.0', port: 19000 });
  });

  it('takes lowerCamelCase names, google_grpc targets, delta and the initial fetch timeout', () => {
    const sut = bootstrapFromDocument({
      node: { id: 'n', userAgentName: 'envoy' },
      dynamicResources: {
        adsConfig: {
          apiType: 'DELTA_GRPC',
          grpcServices: [{ googleGrpc: { targetUri: 'dns:///xds:18000' } }],
        },
        cdsConfig: { initialFetchTimeout: '2.5s' },
      },
    });
    expect(sut.xds).toMatchObject({ host: 'xds', port: 18000, mode: 'delta', initialFetchTimeoutMs: 2500 });
    expect(sut.admin).toBeUndefined();
  });

  it('takes every endpoint of the ADS cluster: the first to start with, the others as alternates', () => {
    const endpoint = (address: string, port: number) => ({
      endpoint: { address: { socket_address: { address, port_value: port } } },
    });
    const sut = bootstrapFromDocument({
      node: { id: 'n' },
      dynamic_resources: {
        ads_config: { api_type: 'DELTA_GRPC', grpc_services: [{ envoy_grpc: { cluster_name: 'xds' } }] },
      },
      static_resources: {
        clusters: [
          {
            name: 'xds',
            load_assignment: {
              endpoints: [
                { lb_endpoints: [endpoint('10.0.0.1', 18000), endpoint('10.0.0.2', 18000)] },
                { lb_endpoints: [endpoint('xds-c.internal', 18001)] },
              ],
            },
          },
        ],
      },
    });
    expect(sut.xds).toMatchObject({
      host: '10.0.0.1',
      port: 18000,
      alternateEndpoints: [
        { host: '10.0.0.2', port: 18000 },
        { host: 'xds-c.internal', port: 18001 },
      ],
    });
  });

  it('names what is wrong', () => {
    expect(() =>
      bootstrapFromDocument({ node: {}, dynamic_resources: { ads_config: { grpc_services: [] } } }),
    ).toThrow(/invalid bootstrap: node\.id: .*; dynamic_resources\.ads_config\.grpc_services: /);
    expect(() =>
      bootstrapFromDocument({
        node: { id: 'n' },
        dynamic_resources: { ads_config: { grpc_services: [{ envoy_grpc: { cluster_name: 'xds' } }] } },
      }),
    ).toThrow('ads_config names cluster "xds" but static_resources.clusters has no such cluster');
  });

  it('parses durations as Envoy writes them', () => {
    expect(parseDurationMs('15s')).toBe(15_000);
    expect(parseDurationMs('250ms')).toBe(250);
    expect(() => parseDurationMs('soon')).toThrow('invalid duration "soon"');
  });
});
