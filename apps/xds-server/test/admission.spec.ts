import { status as GrpcStatus } from '@grpc/grpc-js';
import type { DiscoveryRequest, DiscoveryResponse } from '@envoy-fleet/proto/xds';
import { clusterResource, edgeSnapshot } from '@envoy-fleet/test-kit/snapshots';
import { TYPE_URLS } from '@envoy-fleet/xds';
import { AUTO_REGISTER_DEFAULT_SERVING_KEY } from '../src/xds/xds-config';
import { PrivateRedis } from './support/private-redis';
import { namesOf } from './support/resources';
import type { TestStream } from './support/test-stream';
import { sotwRequest, uniqueNodeId, XdsHarness } from './support/xds-harness';

const { listener: LDS, cluster: CDS } = TYPE_URLS;

function ack(stream: TestStream<DiscoveryRequest, DiscoveryResponse>, response: DiscoveryResponse): void {
  stream.send(
    sotwRequest({
      typeUrl: response.typeUrl,
      versionInfo: response.versionInfo,
      responseNonce: response.nonce,
    }),
  );
}

describe('xds-server admission', () => {
  describe('registered proxies', () => {
    let harness: XdsHarness;

    beforeAll(async () => {
      harness = await XdsHarness.start({}, 'xds-admission');
    });

    afterAll(async () => {
      await harness.close();
    });

    it('refuses a node id that is not a registered proxy with PERMISSION_DENIED', async () => {
      const stream = harness.sotw().send(sotwRequest({ node: { id: 'stranger' }, typeUrl: CDS }));

      expect(await stream.status()).toMatchObject({
        code: GrpcStatus.PERMISSION_DENIED,
        details: 'node "stranger" is not a registered proxy of any tenant',
      });
    });

    it('refuses a first request without node.id with INVALID_ARGUMENT', async () => {
      const stream = harness.sotw().send(sotwRequest({ typeUrl: CDS }));

      expect(await stream.status()).toMatchObject({
        code: GrpcStatus.INVALID_ARGUMENT,
        details: 'the first request of a stream must carry node.id',
      });
    });

    it('publishes proxy.connected with the tenant of the serving key, and proxy.disconnected', async () => {
      const nodeId = uniqueNodeId();
      await harness.publish(`t:globex:${nodeId}`, edgeSnapshot(), [nodeId]);
      const stream = harness.sotw().send(sotwRequest({ node: { id: nodeId }, typeUrl: CDS }));
      await stream.next();

      const connected = await harness.event((e) => e.type === 'proxy.connected' && e.aggregateId === nodeId);
      stream.end();
      const disconnected = await harness.event(
        (e) => e.type === 'proxy.disconnected' && e.aggregateId === nodeId,
      );

      expect(connected).toMatchObject({
        tenantId: 'globex',
        payload: { nodeId, xdsReplica: 'test-replica' },
      });
      expect(disconnected.payload).toEqual({ nodeId, xdsReplica: 'test-replica' });
    });

    it('waits for the first snapshot of a registered proxy that has none yet, then serves it', async () => {
      const nodeId = uniqueNodeId();
      const servingKey = `t:acme:${nodeId}`;
      await harness.store.setPointers('proxy', new Map([[nodeId, servingKey]]));
      const stream = harness.sotw().send(sotwRequest({ node: { id: nodeId }, typeUrl: CDS }));
      await stream.silence(300);

      await harness.publish(servingKey, edgeSnapshot());

      expect(namesOf(await stream.next())).toEqual(['backend']);
      stream.end();
    });

    it('follows a proxy moved to another serving key when snapshot.updated names the key it left', async () => {
      const nodeId = uniqueNodeId();
      await harness.publish(`t:acme:${nodeId}-a`, edgeSnapshot({ clusters: ['from-a'] }), [nodeId]);
      await harness.publish(`t:acme:${nodeId}-b`, edgeSnapshot({ clusters: ['from-b'] }));
      const stream = harness.sotw().send(sotwRequest({ node: { id: nodeId }, typeUrl: CDS }));
      ack(stream, await stream.next());

      await harness.store.setPointers('proxy', new Map([[nodeId, `t:acme:${nodeId}-b`]]));
      await harness.announce([`t:acme:${nodeId}-a`]);

      expect(namesOf(await stream.next())).toEqual(['from-b']);
      stream.end();
    });

    it('ends the stream of a proxy that is deregistered with PERMISSION_DENIED', async () => {
      const nodeId = uniqueNodeId();
      const servingKey = `t:acme:${nodeId}`;
      await harness.publish(servingKey, edgeSnapshot(), [nodeId]);
      const stream = harness.sotw().send(sotwRequest({ node: { id: nodeId }, typeUrl: CDS }));
      await stream.next();

      await harness.store.deletePointers('proxy', [nodeId]);
      await harness.announce([servingKey]);

      expect(await stream.status()).toMatchObject({
        code: GrpcStatus.PERMISSION_DENIED,
        details: `node "${nodeId}" is no longer a registered proxy`,
      });
    });
  });

  describe('XDS_AUTO_REGISTER', () => {
    let harness: XdsHarness;

    beforeAll(async () => {
      harness = await XdsHarness.start({ autoRegister: true }, 'xds-auto-register');
    });

    afterAll(async () => {
      await harness.close();
    });

    it('serves an unknown node an empty snapshot under the default tenant key and announces it', async () => {
      const nodeId = uniqueNodeId('dev');
      const stream = harness.sotw().send(sotwRequest({ node: { id: nodeId }, typeUrl: LDS }));

      const response = await stream.next();
      const connected = await harness.event((e) => e.type === 'proxy.connected' && e.aggregateId === nodeId);

      expect(response.resources).toEqual([]);
      expect(connected.tenantId).toBe('default');
      ack(stream, response);
      await harness.publish(AUTO_REGISTER_DEFAULT_SERVING_KEY, edgeSnapshot());
      expect(namesOf(await stream.next())).toEqual(['http']);
      stream.end();
    });
  });

  describe('connection storms', () => {
    it('answers a stream over XDS_MAX_STREAMS with RESOURCE_EXHAUSTED and admits again once one closes', async () => {
      const harness = await XdsHarness.start({ maxStreams: 2 }, 'xds-stream-limit');
      try {
        const nodeId = uniqueNodeId();
        await harness.publish(`t:acme:${nodeId}`, edgeSnapshot(), [nodeId]);
        const open = [harness.sotw(), harness.sotw()].map((stream) =>
          stream.send(sotwRequest({ node: { id: nodeId }, typeUrl: CDS })),
        );
        await Promise.all(open.map((stream) => stream.next()));

        const refused = harness.sotw().send(sotwRequest({ node: { id: nodeId }, typeUrl: CDS }));
        expect(await refused.status()).toMatchObject({
          code: GrpcStatus.RESOURCE_EXHAUSTED,
          details: 'this xDS replica serves its maximum of 2 streams; retry another replica',
        });

        open[0]!.end();
        await open[0]!.status();
        const admitted = harness.sotw().send(sotwRequest({ node: { id: nodeId }, typeUrl: CDS }));
        expect(namesOf(await admitted.next())).toEqual(['backend']);
        admitted.end();
        open[1]!.end();
      } finally {
        await harness.close();
      }
    });

    it('serves every stream of a storm with initial pushes one at a time (XDS_MAX_CONCURRENT_INITIAL_PUSHES=1)', async () => {
      const harness = await XdsHarness.start({ maxConcurrentInitialPushes: 1 }, 'xds-initial-pushes');
      try {
        const nodeIds = Array.from({ length: 30 }, () => uniqueNodeId('storm'));
        const servingKey = `t:acme:${uniqueNodeId('group')}`;
        await harness.publish(servingKey, edgeSnapshot(), nodeIds);
        const client = harness.ads();
        const streams = nodeIds.map((id) =>
          harness.sotw(client).send(sotwRequest({ node: { id }, typeUrl: CDS })),
        );

        const responses = await Promise.all(streams.map((stream) => stream.next(10_000)));

        expect(responses.map((response) => namesOf(response))).toEqual(nodeIds.map(() => ['backend']));
        for (const stream of streams) stream.end();
      } finally {
        await harness.close();
      }
    });
  });

  describe('snapshot store outage', () => {
    it('keeps streams on what they hold while Redis is away, reports not ready, and recovers', async () => {
      const redis = await PrivateRedis.start();
      const harness = await XdsHarness.start({ storeRetryDelayMs: 50 }, 'xds-redis-outage', redis.url);
      try {
        const nodeId = uniqueNodeId();
        const servingKey = `t:acme:${nodeId}`;
        await harness.publish(servingKey, edgeSnapshot(), [nodeId]);
        const stream = harness.sotw().send(sotwRequest({ node: { id: nodeId }, typeUrl: CDS }));
        ack(stream, await stream.next());

        await redis.stop();
        await harness.announce([servingKey]);
        expect((await untilRejected(() => harness.server.readinessCheck().check())).message).toMatch(
          /degraded/,
        );
        await stream.silence(300);

        await redis.start();
        await untilResolved(() => harness.store.ping());
        await harness.publish(
          servingKey,
          { ...edgeSnapshot(), cluster: [clusterResource({ name: 'after-outage' })] },
          [nodeId],
        );

        expect(namesOf(await stream.next())).toEqual(['after-outage']);
        await untilResolved(() => harness.server.readinessCheck().check());
        stream.end();
      } finally {
        await harness.close();
        await redis.stop();
      }
    });
  });
});

/** Polls a readiness check until it fails (at most 5 s) and returns its error. */
async function untilRejected(check: () => Promise<void>): Promise<Error> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      await check();
    } catch (error) {
      return error as Error;
    }
    if (Date.now() > deadline) throw new Error('the check still passes after 5 s');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Polls until `check` resolves (at most 5 s). */
async function untilResolved(check: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
