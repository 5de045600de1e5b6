import { buildCliProgram, type CliSettings } from './cli-program';
import { CLUSTER_TYPE, LISTENER_TYPE, XDS_TYPES } from '../xds/xds-types';

async function parse(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliSettings> {
  let captured: CliSettings | undefined;
  const program = buildCliProgram(async (settings) => {
    captured = settings;
    await Promise.resolve();
  }, env);
  program.exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  await program.parseAsync(['node', 'envoy-sim', ...args]);
  if (!captured) throw new Error('the action did not run');
  return captured;
}

describe('envoy-sim CLI', () => {
  it('starts like the Envoy image: entrypoint variables plus --service-* flags', async () => {
    const sut = await parse(
      ['--service-cluster', 'edge', '--service-node', 'proxy-2', '--log-level', 'warn', '--log-format', '%v'],
      {
        NODE_ID: 'proxy-1',
        CONTROL_PLANE_HOST: 'xds',
        ADMIN_PORT: '19000',
      },
    );
    expect(sut.bootstrap.node).toMatchObject({ id: 'proxy-2', cluster: 'edge' });
    expect(sut.bootstrap.xds).toMatchObject({ host: 'xds', port: 18000, mode: 'sotw' });
    expect(sut.bootstrap.admin).toEqual({ address: '127.0.0.1', port: 19000 });
    expect(sut.logLevel).toBe('warning');
    expect(sut.count).toBe(1);
  });

  it('takes the simulated build limits and forced rejections', async () => {
    const sut = await parse([
      '--xds-host',
      'xds',
      '--service-node',
      'n',
      '--reject-extension',
      'envoy.filters.http.cors,envoy.filters.http.lua',
      '--reject-all',
      'lds',
      '--reject-all',
      'cluster',
      '--reject-name',
      '^canary-',
    ]);
    expect(sut.rejectPolicy).toEqual({
      missingExtensions: ['envoy.filters.http.cors', 'envoy.filters.http.lua'],
      rejectAllOf: [LISTENER_TYPE, CLUSTER_TYPE],
      rejectNames: /^canary-/,
    });
    expect(
      (await parse(['--xds-host', 'xds', '--service-node', 'n', '--reject-all', 'all'])).rejectPolicy
        .rejectAllOf,
    ).toEqual(XDS_TYPES);
  });

  it('runs a fleet without a node id of its own', async () => {
    const sut = await parse([
      '--xds-host',
      'xds',
      '--count',
      '1000',
      '--streams-per-channel',
      '50',
      '--mode',
      'delta',
    ]);
    expect(sut).toMatchObject({ count: 1000, streamsPerChannel: 50, nodeIdPattern: 'sim-{n}' });
    expect(sut.bootstrap.xds.mode).toBe('delta');
  });

  it('refuses bad values with the reason', async () => {
    await expect(parse(['--xds-port', '70000'])).rejects.toThrow('expected a whole number from 1 to 65535');
    await expect(parse(['--reject-all', 'vhds'])).rejects.toThrow('unknown xDS type "vhds"');
    await expect(parse([])).rejects.toThrow('envoy-sim needs a node id');
  });
});
