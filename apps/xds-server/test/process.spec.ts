import { status as GrpcStatus } from '@grpc/grpc-js';
import { TEST_NATS_URL } from '@envoy-fleet/test-kit/nats';
import { clusterResource, edgeSnapshot } from '@envoy-fleet/test-kit/snapshots';
import { TYPE_URLS } from '@envoy-fleet/xds';
import { freePort } from '@envoy-fleet/test-kit/net';
import { namesOf } from './support/resources';
import { XdsProcess } from './support/xds-process';
import { deltaRequest, sotwRequest, uniqueNodeId, XdsTestBed } from './support/xds-harness';

const { listener: LDS, cluster: CDS } = TYPE_URLS;

/** The built xds-server process against the real Redis and NATS: the rules that matter end to end. */
describe('xds-server process (node dist/main.js)', () => {
  let bed: XdsTestBed;
  let xdsPort: string;
  let env: Record<string, string>;
  let server: XdsProcess;

  beforeAll(async () => {
    xdsPort = await freePort();
    bed = await XdsTestBed.open('xds-process', () => `127.0.0.1:${xdsPort}`);
    env = {
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: await freePort(),
      XDS_HOST: '127.0.0.1',
      XDS_PORT: xdsPort,
      XDS_REPLICA_ID: 'process-replica',
      LOG_LEVEL: 'warn',
      REDIS_URL: bed.scope.redisUrl,
      REDIS_KEY_PREFIX: bed.scope.keyPrefix,
      NATS_URL: TEST_NATS_URL,
      NATS_NAMESPACE: bed.scope.natsNamespace,
    };
    server = await XdsProcess.start(env);
  }, 120_000);

  afterAll(async () => {
    await server.stop();
    await bed.close();
  });

  async function registeredProxy() {
    const nodeId = uniqueNodeId();
    const servingKey = `t:acme:${nodeId}`;
    await bed.publish(servingKey, edgeSnapshot(), [nodeId]);
    return { nodeId, servingKey, node: { id: nodeId } };
  }

  it('serves a registered proxy over SotW ADS and publishes its ACK', async () => {
    const proxy = await registeredProxy();
    const stream = bed.sotw().send(sotwRequest({ node: proxy.node, typeUrl: LDS }));

    const response = await stream.next();
    stream.send(
      sotwRequest({ typeUrl: LDS, versionInfo: response.versionInfo, responseNonce: response.nonce }),
    );

    expect(namesOf(response)).toEqual(['http']);
    expect(response.controlPlane?.identifier).toBe('process-replica');
    const event = await bed.event((e) => e.type === 'proxy.ack' && e.aggregateId === proxy.nodeId);
    expect(event.payload).toMatchObject({ typeUrl: LDS, version: response.versionInfo });
    await stream.silence(500);
    stream.end();
  });

  it('refuses a node that is not a registered proxy with PERMISSION_DENIED', async () => {
    const stream = bed.sotw().send(sotwRequest({ node: { id: 'not-registered' }, typeUrl: CDS }));

    expect((await stream.status()).code).toBe(GrpcStatus.PERMISSION_DENIED);
  });

  it('pushes a published change and does not resend a NACKed version', async () => {
    const proxy = await registeredProxy();
    const stream = bed.sotw().send(sotwRequest({ node: proxy.node, typeUrl: CDS }));
    const first = await stream.next();
    stream.send(sotwRequest({ typeUrl: CDS, versionInfo: first.versionInfo, responseNonce: first.nonce }));

    await bed.publish(proxy.servingKey, {
      ...edgeSnapshot(),
      cluster: [clusterResource({ name: 'backend', connectTimeoutSeconds: 8 })],
    });
    const changed = await stream.next();
    stream.send(
      sotwRequest({
        typeUrl: CDS,
        versionInfo: changed.versionInfo,
        responseNonce: changed.nonce,
        errorDetail: { code: 3, message: 'rejected', details: [] },
      }),
    );

    await bed.event((e) => e.type === 'proxy.nack' && e.aggregateId === proxy.nodeId);
    await stream.silence(1_000);
    stream.end();
  });

  it('on SIGTERM ends streams with OK and exits 0; after a restart a delta client resumes without a resend', async () => {
    const proxy = await registeredProxy();
    const before = bed.delta().send(deltaRequest({ node: proxy.node, typeUrl: CDS }));
    const held = await before.next();
    before.send(deltaRequest({ typeUrl: CDS, responseNonce: held.nonce }));

    const [exitCode, status] = await Promise.all([server.stop(), before.status()]);
    expect(status.code).toBe(GrpcStatus.OK);
    expect(exitCode).toBe(0);

    server = await XdsProcess.start(env);
    const after = bed.delta().send(
      deltaRequest({
        node: proxy.node,
        typeUrl: CDS,
        resourceNamesSubscribe: ['backend'],
        initialResourceVersions: Object.fromEntries(
          held.resources.map((resource) => [resource.name, resource.version]),
        ),
      }),
    );
    await after.silence(1_000);

    await bed.publish(proxy.servingKey, {
      ...edgeSnapshot(),
      cluster: [clusterResource({ name: 'backend', connectTimeoutSeconds: 6 })],
    });
    expect((await after.next()).resources.map((resource) => resource.name)).toEqual(['backend']);
    after.end();
  });
});
