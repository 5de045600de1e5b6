import { mergeOverrides, overridesFromEnv, resolveBootstrap } from './bootstrap-overrides';

describe('bootstrap-overrides', () => {
  it("builds a bootstrap from the Envoy image's entrypoint variables alone", () => {
    const sut = resolveBootstrap(
      undefined,
      overridesFromEnv({
        NODE_ID: 'proxy-1',
        CLUSTER_NAME: 'edge',
        ZONE: 'eu-1a',
        CONTROL_PLANE_HOST: 'xds',
        CONTROL_PLANE_PORT: '18001',
        ADMIN_PORT: '19001',
        HOSTNAME: 'c0ffee',
        VERSION: 'v2',
      }),
    );
    expect(sut.node).toMatchObject({ id: 'proxy-1', cluster: 'edge', locality: { zone: 'eu-1a' } });
    expect(sut.node.metadata).toEqual({ instance_id: 'c0ffee', version: 'v2' });
    expect(sut.xds).toMatchObject({
      host: 'xds',
      port: 18001,
      mode: 'sotw',
      setNodeOnFirstMessageOnly: true,
      initialFetchTimeoutMs: 15_000,
    });
    expect(sut.admin).toEqual({ address: '127.0.0.1', port: 19001 });
  });

  it('uses the defaults of the entrypoint: port 18000, cluster default-cluster, no admin port', () => {
    const sut = resolveBootstrap(undefined, overridesFromEnv({ NODE_ID: 'n', CONTROL_PLANE_HOST: 'xds' }));
    expect(sut.xds.port).toBe(18000);
    expect(sut.node.cluster).toBe('default-cluster');
    expect(sut.admin).toBeUndefined();
  });

  it('lets later sources win', () => {
    const sut = resolveBootstrap(
      undefined,
      mergeOverrides(
        overridesFromEnv({ NODE_ID: 'from-env', CONTROL_PLANE_HOST: 'xds', XDS_MODE: 'delta' }),
        { nodeId: 'from-flag' },
      ),
    );
    expect(sut.node.id).toBe('from-flag');
    expect(sut.xds.mode).toBe('delta');
  });

  it("keeps the file's alternate xDS servers unless the host or port is overridden", () => {
    const file = resolveBootstrap(undefined, { nodeId: 'n', xdsHost: 'xds-a' });
    const base = { ...file, xds: { ...file.xds, alternateEndpoints: [{ host: 'xds-b', port: 18000 }] } };

    expect(resolveBootstrap(base, { zone: 'z' }).xds.alternateEndpoints).toEqual([
      { host: 'xds-b', port: 18000 },
    ]);
    expect(resolveBootstrap(base, { xdsHost: 'other' }).xds.alternateEndpoints).toBeUndefined();
    expect(resolveBootstrap(base, { xdsPort: 18001 }).xds.alternateEndpoints).toBeUndefined();
  });

  it('says which required settings are missing and which variables are wrong', () => {
    expect(() => resolveBootstrap(undefined, {})).toThrow(
      'envoy-sim needs a node id (NODE_ID, --service-node or node.id in the bootstrap) and an xDS server host',
    );
    expect(() => overridesFromEnv({ CONTROL_PLANE_PORT: 'http' })).toThrow(
      'environment variable CONTROL_PLANE_PORT',
    );
    expect(() => overridesFromEnv({ XDS_MODE: 'incremental' })).toThrow('environment variable XDS_MODE');
  });

  it('needs the client certificate and key together', () => {
    expect(() =>
      resolveBootstrap(
        undefined,
        overridesFromEnv({ NODE_ID: 'n', CONTROL_PLANE_HOST: 'xds', XDS_TLS_CERT_FILE: '/c.pem' }),
      ),
    ).toThrow('mTLS needs both a client certificate and its key');
  });
});
