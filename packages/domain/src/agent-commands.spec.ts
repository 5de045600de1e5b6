import { parseAgentCommand, type ProxyContainerSpecInput } from './agent-commands';

const spec: ProxyContainerSpecInput = {
  proxyId: '0a1b2c3d-0000-4000-8000-000000000001',
  tenantId: '0a1b2c3d-0000-4000-8000-000000000002',
  xdsNodeId: 'edge-001',
  groupName: 'edge',
  ordinal: 1,
  image: 'envoyproxy/envoy:v1.36.2',
  proxyPort: 10001,
  adminPort: 20001,
  xds: { host: 'xds.internal', port: 18000 },
};

describe(parseAgentCommand.name, () => {
  it('decodes a create command and applies the defaults', () => {
    const sut = parseAgentCommand('create', spec);

    expect(sut).toEqual({
      ok: true,
      command: {
        kind: 'create',
        payload: {
          ...spec,
          xds: { host: 'xds.internal', port: 18000, tlsDirectory: null },
          zone: null,
          resources: { memoryMib: null, cpuMillicores: null },
          env: {},
          labels: {},
          restartPolicy: 'unless-stopped',
          start: true,
        },
      },
    });
  });

  it('stops with the 30 s grace of seed 000 unless told otherwise', () => {
    const sut = parseAgentCommand('stop', { proxyId: spec.proxyId });

    expect(sut).toEqual({
      ok: true,
      command: { kind: 'stop', payload: { proxyId: spec.proxyId, graceSeconds: 30 } },
    });
  });

  it('names an unknown kind and lists the known ones', () => {
    const sut = parseAgentCommand('reboot', {});

    expect(sut).toEqual({
      ok: false,
      message:
        'unknown command kind "reboot"; expected one of create, start, stop, restart, remove, update-image, probe, logs, stop-logs',
    });
  });

  it('says which fields of a payload are wrong', () => {
    const sut = parseAgentCommand('create', {
      ...spec,
      adminPort: 70000,
      labels: { 'envoy-fleet.proxy-id': 'x' },
      env: { 'NOT-A-NAME': 'x' },
    });

    expect(sut.ok).toBe(false);
    const message = sut.ok ? '' : sut.message;
    expect(message).toMatch(/^invalid create payload: /);
    expect(message).toContain('adminPort:');
    expect(message).toContain('labels.envoy-fleet.proxy-id: keys starting with "envoy-fleet." are reserved');
    expect(message).toContain('env.NOT-A-NAME');
  });

  it('reads a stop-logs command naming the logs command to end', () => {
    const logsCommandId = '0b1f0a3e-53a4-4e3b-9d0e-6a8a43a9f1c2';

    expect(parseAgentCommand('stop-logs', { proxyId: spec.proxyId, logsCommandId })).toEqual({
      ok: true,
      command: { kind: 'stop-logs', payload: { proxyId: spec.proxyId, logsCommandId } },
    });
    expect(parseAgentCommand('stop-logs', { proxyId: spec.proxyId }).ok).toBe(false);
  });

  it('rejects fields the contract does not define', () => {
    const sut = parseAgentCommand('start', { proxyId: spec.proxyId, force: true });

    expect(sut.ok).toBe(false);
  });
});
