import { status as GrpcStatus } from '@grpc/grpc-js';
import type { DiscoveryRequest, DiscoveryResponse } from '@envoy-fleet/proto/xds';
import {
  clusterResource,
  edgeSnapshot,
  type FixtureResources,
  listenerResource,
  routeResource,
} from '@envoy-fleet/test-kit/snapshots';
import { decodeResource, TYPE_URLS } from '@envoy-fleet/xds';
import type { TestStream } from './support/test-stream';
import { namesOf } from './support/resources';
import { sotwRequest, uniqueNodeId, XdsHarness } from './support/xds-harness';

const { listener: LDS, route: RDS, cluster: CDS, endpoint: EDS } = TYPE_URLS;

type SotwStream = TestStream<DiscoveryRequest, DiscoveryResponse>;

/** The request a client sends after applying a response: its version and nonce, with its subscription. */
function ack(stream: SotwStream, response: DiscoveryResponse, resourceNames: string[] = []): void {
  stream.send(
    sotwRequest({
      typeUrl: response.typeUrl,
      versionInfo: response.versionInfo,
      responseNonce: response.nonce,
      resourceNames,
    }),
  );
}

function nack(
  stream: SotwStream,
  response: DiscoveryResponse,
  versionInfo: string,
  resourceNames: string[] = [],
) {
  stream.send(
    sotwRequest({
      typeUrl: response.typeUrl,
      versionInfo,
      responseNonce: response.nonce,
      resourceNames,
      errorDetail: { code: 3, message: `rejected ${response.versionInfo}`, details: [] },
    }),
  );
}

const listeners = (...names: string[]) =>
  names.map((name, index) => listenerResource({ name, port: 10_000 + index, routeConfigName: 'routes' }));

describe('xds-server SotW ADS', () => {
  let harness: XdsHarness;

  beforeAll(async () => {
    harness = await XdsHarness.start({}, 'xds-sotw');
  });

  afterAll(async () => {
    await harness.close();
  });

  /** A registered proxy with its own serving key and a snapshot published for it. */
  async function registeredProxy(resources: Partial<FixtureResources> = edgeSnapshot()) {
    const nodeId = uniqueNodeId();
    const servingKey = `t:acme:${nodeId}`;
    await harness.publish(servingKey, resources, [nodeId]);
    return {
      nodeId,
      node: { id: nodeId, cluster: 'edge' },
      publish: (next: Partial<FixtureResources>) => harness.publish(servingKey, next),
    };
  }

  describe('A. stream lifecycle', () => {
    it('A1 serves StreamAggregatedResources', async () => {
      const { node } = await registeredProxy();
      const stream = harness.sotw().send(sotwRequest({ node, typeUrl: CDS }));

      const response = await stream.next();

      expect(response.typeUrl).toBe(CDS);
      expect(namesOf(response)).toEqual(['backend']);
      stream.end();
    });

    it('A2 takes the node from the first request only and accepts later requests without it', async () => {
      const { node } = await registeredProxy();
      const stream = harness.sotw().send(sotwRequest({ node, typeUrl: CDS }));
      ack(stream, await stream.next());

      stream.send(sotwRequest({ typeUrl: LDS }));

      expect(namesOf(await stream.next())).toEqual(['http']);
      stream.end();
    });

    it('A3 refuses an ADS request without type_url with INVALID_ARGUMENT', async () => {
      const { node } = await registeredProxy();
      const stream = harness.sotw().send(sotwRequest({ node }));

      expect(await stream.status()).toMatchObject({
        code: GrpcStatus.INVALID_ARGUMENT,
        details: 'every request on ADS must carry type_url',
      });
    });

    it('A4 gives every response a nonce unique within the stream', async () => {
      const proxy = await registeredProxy();
      const stream = harness.sotw().send(sotwRequest({ node: proxy.node, typeUrl: CDS }));
      stream.send(sotwRequest({ typeUrl: LDS }));
      const responses: DiscoveryResponse[] = [];
      for (let index = 0; index < 2; index += 1) {
        responses.push(await stream.next());
        ack(stream, responses[index]!);
      }
      await proxy.publish(edgeSnapshot({ clusters: ['backend', 'other'] }));
      responses.push(await stream.next());

      expect(new Set(responses.map((response) => response.nonce)).size).toBe(3);
      stream.end();
    });

    it('A5 keeps version, nonce and subscription per type', async () => {
      const proxy = await registeredProxy();
      const stream = harness.sotw().send(sotwRequest({ node: proxy.node, typeUrl: CDS }));
      const cds = await stream.next();
      ack(stream, cds);
      stream.send(sotwRequest({ typeUrl: RDS, resourceNames: ['http-routes'] }));
      const rds = await stream.next();
      ack(stream, rds, ['http-routes']);

      await proxy.publish({
        ...edgeSnapshot(),
        cluster: [clusterResource({ name: 'backend', connectTimeoutSeconds: 5 })],
      });
      const next = await stream.next();

      expect(next.typeUrl).toBe(CDS);
      expect(cds.versionInfo).not.toBe(rds.versionInfo);
      expect(next.versionInfo).not.toBe(cds.versionInfo);
      stream.end();
    });

    it('A6 derives versions from content: equal content, equal version, on any serving key', async () => {
      const first = await registeredProxy(edgeSnapshot());
      const second = await registeredProxy(edgeSnapshot());
      const streamA = harness.sotw().send(sotwRequest({ node: first.node, typeUrl: CDS }));
      const streamB = harness.sotw().send(sotwRequest({ node: second.node, typeUrl: CDS }));
      const [a, b] = await Promise.all([streamA.next(), streamB.next()]);
      ack(streamA, a);

      await first.publish({
        ...edgeSnapshot(),
        cluster: [clusterResource({ name: 'backend', connectTimeoutSeconds: 9 })],
      });
      const changed = await streamA.next();

      expect(a.versionInfo).toBe(b.versionInfo);
      expect(changed.versionInfo).not.toBe(a.versionInfo);
      streamA.end();
      streamB.end();
    });

    it('A7 ends the RPC with OK when the client half-closes', async () => {
      const { node } = await registeredProxy();
      const stream = harness.sotw().send(sotwRequest({ node, typeUrl: CDS }));
      await stream.next();

      stream.end();

      expect((await stream.status()).code).toBe(GrpcStatus.OK);
    });
  });

  describe('B. state of the world', () => {
    it('B9 sends every subscribed listener when one changes (bug: partial LDS)', async () => {
      const proxy = await registeredProxy({ listener: listeners('l1', 'l2') });
      const stream = harness
        .sotw()
        .send(sotwRequest({ node: proxy.node, typeUrl: LDS, resourceNames: ['l1', 'l2'] }));
      ack(stream, await stream.next(), ['l1', 'l2']);

      await proxy.publish({
        listener: [
          listenerResource({ name: 'l1', port: 20_000, routeConfigName: 'routes' }),
          ...listeners('x', 'l2').slice(1),
        ],
      });

      expect(namesOf(await stream.next())).toEqual(['l1', 'l2']);
      stream.end();
    });

    it('B10 omits a deleted listener and sends an empty response when all are deleted', async () => {
      const proxy = await registeredProxy({ listener: listeners('l1', 'l2') });
      const stream = harness.sotw().send(sotwRequest({ node: proxy.node, typeUrl: LDS }));
      ack(stream, await stream.next());

      await proxy.publish({ listener: listeners('l1') });
      const fewer = await stream.next();
      ack(stream, fewer);
      await proxy.publish({ listener: [] });
      const none = await stream.next();

      expect(namesOf(fewer)).toEqual(['l1']);
      expect(none.resources).toEqual([]);
      stream.end();
    });

    it('B11 sends only the requested RouteConfigurations', async () => {
      const proxy = await registeredProxy({
        route: [
          routeResource({ name: 'r1', clusters: [{ name: 'c' }] }),
          routeResource({ name: 'r2', clusters: [{ name: 'c' }] }),
        ],
      });
      const stream = harness
        .sotw()
        .send(sotwRequest({ node: proxy.node, typeUrl: RDS, resourceNames: ['r2'] }));

      expect(namesOf(await stream.next())).toEqual(['r2']);
      stream.end();
    });

    it('B12 never puts the same name twice in a response', async () => {
      const proxy = await registeredProxy();
      const stream = harness
        .sotw()
        .send(sotwRequest({ node: proxy.node, typeUrl: EDS, resourceNames: ['backend', 'backend'] }));

      expect(namesOf(await stream.next())).toEqual(['backend']);
      stream.end();
    });

    it('B13 gives every Any the response type_url and each resource the requested name', async () => {
      const proxy = await registeredProxy(edgeSnapshot({ clusters: ['a', 'b'] }));
      const stream = harness
        .sotw()
        .send(sotwRequest({ node: proxy.node, typeUrl: EDS, resourceNames: ['b', 'a'] }));

      const response = await stream.next();

      expect(response.resources.map((any) => any.typeUrl)).toEqual([EDS, EDS]);
      expect(namesOf(response).sort()).toEqual(['a', 'b']);
      stream.end();
    });

    it('B14 sends bare resources, not Resource wrappers, to a client without supports-resource-in-sotw', async () => {
      const { node } = await registeredProxy();
      const stream = harness.sotw().send(
        sotwRequest({
          node: { ...node, clientFeatures: ['envoy.lb.does_not_support_overprovisioning'] },
          typeUrl: CDS,
        }),
      );

      const response = await stream.next();

      expect(response.resources[0]?.typeUrl).toBe(CDS);
      expect(decodeResource('cluster', response.resources[0]!.value)).toMatchObject({ name: 'backend' });
      stream.end();
    });

    it('B15 stays silent after an ACK when nothing changed, also for a subscribed missing name (no ping-pong)', async () => {
      const proxy = await registeredProxy();
      const stream = harness.sotw().send(sotwRequest({ node: proxy.node, typeUrl: CDS }));
      ack(stream, await stream.next());
      stream.send(sotwRequest({ typeUrl: RDS, resourceNames: ['http-routes', 'missing'] }));
      const rds = await stream.next();

      ack(stream, rds, ['http-routes', 'missing']);

      await stream.silence(1_000);
      stream.end();
    });
  });

  describe('E. ACK and NACK', () => {
    it('E31 takes error_detail with the new version as a NACK and does not resend that version', async () => {
      const proxy = await registeredProxy();
      const stream = harness.sotw().send(sotwRequest({ node: proxy.node, typeUrl: CDS }));
      const first = await stream.next();
      ack(stream, first);
      await proxy.publish({
        ...edgeSnapshot(),
        cluster: [clusterResource({ name: 'backend', connectTimeoutSeconds: 7 })],
      });
      const rejected = await stream.next();

      nack(stream, rejected, rejected.versionInfo);

      const event = await harness.event((e) => e.type === 'proxy.nack' && e.aggregateId === proxy.nodeId);
      expect(event.payload).toMatchObject({
        typeUrl: CDS,
        version: rejected.versionInfo,
        nonce: rejected.nonce,
      });
      await stream.silence(1_000);
      stream.end();
    });

    it('E31 takes the last nonce without error_detail as an ACK and publishes it', async () => {
      const proxy = await registeredProxy();
      const stream = harness.sotw().send(sotwRequest({ node: proxy.node, typeUrl: CDS }));
      const response = await stream.next();

      ack(stream, response);

      const event = await harness.event((e) => e.type === 'proxy.ack' && e.aggregateId === proxy.nodeId);
      expect(event).toMatchObject({
        tenantId: 'acme',
        payload: { nodeId: proxy.nodeId, typeUrl: CDS, version: response.versionInfo, nonce: response.nonce },
      });
      stream.end();
    });

    it('publishes each response sent (type, version, nonce) before its ACK, in one proxy.reports batch per tenant', async () => {
      const proxy = await registeredProxy();
      const stream = harness.sotw().send(sotwRequest({ node: proxy.node, typeUrl: CDS }));
      const response = await stream.next();
      ack(stream, response);

      await harness.event((e) => e.type === 'proxy.ack' && e.aggregateId === proxy.nodeId);
      const reports = harness.events.filter((e) => e.aggregateId === proxy.nodeId);

      expect(reports.map((e) => e.type)).toEqual(['proxy.connected', 'proxy.sent', 'proxy.ack']);
      expect(reports[1]).toMatchObject({
        tenantId: 'acme',
        payload: { nodeId: proxy.nodeId, typeUrl: CDS, version: response.versionInfo, nonce: response.nonce },
      });
      stream.end();
    });

    it('E32 accepts a NACK whose version_info is the rejected version itself', async () => {
      const proxy = await registeredProxy();
      const stream = harness
        .sotw()
        .send(sotwRequest({ node: proxy.node, typeUrl: RDS, resourceNames: ['http-routes'] }));
      const response = await stream.next();

      nack(stream, response, response.versionInfo, ['http-routes']);

      await harness.event((e) => e.type === 'proxy.nack' && e.aggregateId === proxy.nodeId);
      await stream.silence(500);
      stream.end();
    });

    it('E34 applies the resource names a NACK carries', async () => {
      const proxy = await registeredProxy(edgeSnapshot({ clusters: ['a', 'b'] }));
      const stream = harness
        .sotw()
        .send(sotwRequest({ node: proxy.node, typeUrl: EDS, resourceNames: ['a'] }));
      const response = await stream.next();

      nack(stream, response, '', ['a', 'b']);

      expect(namesOf(await stream.next()).sort()).toEqual(['a', 'b']);
      stream.end();
    });

    it('E35 sends the next version after a NACK', async () => {
      const proxy = await registeredProxy();
      const stream = harness.sotw().send(sotwRequest({ node: proxy.node, typeUrl: CDS }));
      const rejected = await stream.next();
      nack(stream, rejected, '');
      await stream.silence(300);

      await proxy.publish(edgeSnapshot({ clusters: ['fixed'] }));

      expect(namesOf(await stream.next())).toEqual(['fixed']);
      stream.end();
    });

    it('E36 recognises ACKs sent the instant each response arrives, through rapid changes', async () => {
      const proxy = await registeredProxy();
      const stream = harness.sotw().send(sotwRequest({ node: proxy.node, typeUrl: CDS }));
      let response = await stream.next();
      ack(stream, response);
      for (let round = 1; round <= 5; round += 1) {
        await proxy.publish(edgeSnapshot({ clusters: [`c${round}`] }));
        response = await stream.next();
        ack(stream, response);
      }

      const last = response;
      await harness.event(
        (e) => e.type === 'proxy.ack' && 'nonce' in e.payload && e.payload.nonce === last.nonce,
      );
      expect(namesOf(last)).toEqual(['c5']);
      stream.end();
    });

    it('E37 exports every NACK: node, type, nonce, version and error message, as an event and a metric', async () => {
      const proxy = await registeredProxy();
      const stream = harness.sotw().send(sotwRequest({ node: proxy.node, typeUrl: CDS }));
      const response = await stream.next();

      nack(stream, response, '');

      const event = await harness.event((e) => e.type === 'proxy.nack' && e.aggregateId === proxy.nodeId);
      expect(event.payload).toEqual({
        nodeId: proxy.nodeId,
        typeUrl: CDS,
        version: response.versionInfo,
        nonce: response.nonce,
        errorDetail: `rejected ${response.versionInfo}`,
      });
      expect(await harness.registry.getSingleMetricAsString('xds_nacks_total')).toMatch(
        /xds_nacks_total\{type="envoy.config.cluster.v3.Cluster"\} [1-9]/,
      );
      stream.end();
    });
  });

  describe('F. subscriptions', () => {
    it('F38 resends a name added back at the same version: [A] → ACK → [] → [A] (bug: re-subscribe)', async () => {
      const proxy = await registeredProxy();
      const stream = harness
        .sotw()
        .send(sotwRequest({ node: proxy.node, typeUrl: RDS, resourceNames: ['http-routes'] }));
      const response = await stream.next();
      ack(stream, response, ['http-routes']);
      ack(stream, response, []);
      await stream.silence(200);

      ack(stream, response, ['http-routes']);

      expect(namesOf(await stream.next(1_000))).toEqual(['http-routes']);
      stream.end();
    });

    it('F39 follows legacy wildcard: [] is *, [*, A] keeps it, [A] drops it, then [] is nothing', async () => {
      const proxy = await registeredProxy(edgeSnapshot({ clusters: ['a', 'b'] }));
      const stream = harness.sotw().send(sotwRequest({ node: proxy.node, typeUrl: CDS }));
      const all = await stream.next();
      expect(namesOf(all)).toEqual(['a', 'b']);
      ack(stream, all, ['*', 'a']);
      await stream.silence(200);

      ack(stream, all, ['a']);
      await proxy.publish({
        cluster: [clusterResource({ name: 'a', connectTimeoutSeconds: 3 }), clusterResource({ name: 'b' })],
      });
      const onlyA = await stream.next();
      expect(namesOf(onlyA)).toEqual(['a']);

      ack(stream, onlyA, []);
      await proxy.publish(edgeSnapshot({ clusters: ['a', 'd'] }));
      await stream.silence(500);
      stream.end();
    });

    it('F40 takes an empty first RDS request as no subscription (wildcard only for LDS, CDS and scoped routes)', async () => {
      const { node } = await registeredProxy();
      const stream = harness.sotw().send(sotwRequest({ node, typeUrl: RDS }));

      await stream.silence(500);
      stream.end();
    });

    it('F41 answers the latest request of a type; earlier ones are superseded', async () => {
      const proxy = await registeredProxy(edgeSnapshot({ clusters: ['a', 'b'] }));
      const stream = harness
        .sotw()
        .send(sotwRequest({ node: proxy.node, typeUrl: EDS, resourceNames: ['a'] }));
      stream.send(sotwRequest({ typeUrl: EDS, resourceNames: ['b'] }));
      const first = await stream.next();
      ack(stream, first, ['b']);

      const responses = namesOf(first).includes('b') ? [first] : [first, await stream.next()];

      expect(namesOf(responses.at(-1)!)).toEqual(['b']);
      stream.end();
    });
  });

  describe('G. resources that do not exist', () => {
    it('G43 remembers a requested route that does not exist and sends it when it appears', async () => {
      const proxy = await registeredProxy();
      const stream = harness
        .sotw()
        .send(sotwRequest({ node: proxy.node, typeUrl: RDS, resourceNames: ['later'] }));
      await stream.silence(300);

      await proxy.publish({
        ...edgeSnapshot(),
        route: [routeResource({ name: 'later', clusters: [{ name: 'backend' }] })],
      });

      expect(namesOf(await stream.next())).toEqual(['later']);
      stream.end();
    });

    it('G44 answers EDS for a cluster without endpoints with an empty ClusterLoadAssignment', async () => {
      const proxy = await registeredProxy({ ...edgeSnapshot(), endpoint: [] });
      const stream = harness
        .sotw()
        .send(sotwRequest({ node: proxy.node, typeUrl: EDS, resourceNames: ['backend'] }));

      const response = await stream.next();

      expect(decodeResource('endpoint', response.resources[0]!.value)).toEqual({ cluster_name: 'backend' });
      stream.end();
    });

    it('G45 never deletes as a side effect: a serving pointer that vanishes leaves the config in place', async () => {
      const proxy = await registeredProxy();
      const stream = harness.sotw().send(sotwRequest({ node: proxy.node, typeUrl: LDS }));
      ack(stream, await stream.next());

      await harness.store.deletePointers('serving', [`t:acme:${proxy.nodeId}`]);
      await harness.announce([`t:acme:${proxy.nodeId}`]);

      await stream.silence(1_000);
      stream.end();
    });
  });

  describe('H. flow control and coalescing', () => {
    it('H46 keeps one response per type outstanding and sends only the latest after the ACK', async () => {
      const proxy = await registeredProxy();
      const stream = harness.sotw().send(sotwRequest({ node: proxy.node, typeUrl: CDS }));
      const first = await stream.next();
      await proxy.publish(edgeSnapshot({ clusters: ['v2'] }));
      await proxy.publish(edgeSnapshot({ clusters: ['v3'] }));
      await stream.silence(500);

      ack(stream, first);

      expect(namesOf(await stream.next())).toEqual(['v3']);
      await stream.silence(300);
      stream.end();
    });

    it('H47 records the names of a stale-nonce request and serves them (bug: stale request dropped whole)', async () => {
      const proxy = await registeredProxy(edgeSnapshot({ clusters: ['a', 'b'] }));
      const stream = harness
        .sotw()
        .send(sotwRequest({ node: proxy.node, typeUrl: EDS, resourceNames: ['a'] }));
      const older = await stream.next();
      ack(stream, older, ['a']);
      await proxy.publish({
        ...edgeSnapshot({ clusters: ['a', 'b'] }),
        endpoint: edgeSnapshot({ clusters: ['b', 'a'] }).endpoint,
      });
      const latest = await stream.next();

      stream.send(
        sotwRequest({
          typeUrl: EDS,
          versionInfo: older.versionInfo,
          responseNonce: older.nonce,
          resourceNames: ['a', 'b'],
        }),
      );
      await stream.silence(300);
      ack(stream, latest, ['a', 'b']);

      expect(namesOf(await stream.next()).sort()).toEqual(['a', 'b']);
      stream.end();
    });

    it('H48 sends nothing outside the subscription when it shrinks while a response waits (bug: queued response)', async () => {
      const proxy = await registeredProxy(edgeSnapshot({ clusters: ['a', 'b'] }));
      const stream = harness
        .sotw()
        .send(sotwRequest({ node: proxy.node, typeUrl: EDS, resourceNames: ['a', 'b'] }));
      const first = await stream.next();
      await proxy.publish(edgeSnapshot({ clusters: ['b', 'a'] }));
      await stream.silence(300);

      ack(stream, first, ['a']);

      expect(namesOf(await stream.next())).toEqual(['a']);
      stream.end();
    });
  });

  describe('I. reconnect and resume', () => {
    it('I50 resends everything subscribed on a new stream whose first request carries the last version', async () => {
      const proxy = await registeredProxy();
      const before = harness.sotw().send(sotwRequest({ node: proxy.node, typeUrl: CDS }));
      const seen = await before.next();
      ack(before, seen);
      before.end();

      const after = harness
        .sotw()
        .send(sotwRequest({ node: proxy.node, typeUrl: CDS, versionInfo: seen.versionInfo }));

      expect(namesOf(await after.next())).toEqual(['backend']);
      after.end();
    });

    it('I51 ignores a response_nonce on the first request for a type on a new stream', async () => {
      const { node } = await registeredProxy();
      const stream = harness.sotw().send(
        sotwRequest({
          node,
          typeUrl: CDS,
          versionInfo: 'old',
          responseNonce: 'nonce-from-another-replica',
        }),
      );

      expect(namesOf(await stream.next())).toEqual(['backend']);
      stream.end();
    });

    it('I53 answers names this server never sent, so warming can finish after failover', async () => {
      const { node } = await registeredProxy();
      const stream = harness.sotw().send(
        sotwRequest({
          node,
          typeUrl: RDS,
          versionInfo: 'v-from-elsewhere',
          resourceNames: ['http-routes'],
        }),
      );

      expect(namesOf(await stream.next())).toEqual(['http-routes']);
      stream.end();
    });

    it('I54 treats unsubscribe-all then resubscribe with the kept version and nonce as an ordinary change', async () => {
      const proxy = await registeredProxy();
      const stream = harness
        .sotw()
        .send(sotwRequest({ node: proxy.node, typeUrl: LDS, resourceNames: ['http'] }));
      const response = await stream.next();
      ack(stream, response, ['http']);
      ack(stream, response, []);

      ack(stream, response, ['http']);

      expect(namesOf(await stream.next())).toEqual(['http']);
      stream.end();
    });
  });
});
