import type { DeltaDiscoveryRequest, DeltaDiscoveryResponse } from '@envoy-fleet/proto/xds';
import { clusterResource, edgeSnapshot, routeResource } from '@envoy-fleet/test-kit/snapshots';
import { contentHash, encodeResource, type SnapshotResources, TYPE_URLS } from '@envoy-fleet/xds';
import { deltaNamesOf } from './support/resources';
import type { TestStream } from './support/test-stream';
import { deltaRequest, uniqueNodeId, XdsHarness } from './support/xds-harness';

const { route: RDS, cluster: CDS, virtual_host: VHDS } = TYPE_URLS;

type DeltaStream = TestStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>;

function ack(
  stream: DeltaStream,
  response: DeltaDiscoveryResponse,
  init: Partial<DeltaDiscoveryRequest> = {},
): void {
  stream.send(deltaRequest({ typeUrl: response.typeUrl, responseNonce: response.nonce, ...init }));
}

const clusters = (...names: string[]) => names.map((name) => clusterResource({ name }));
const routes = (...names: string[]) =>
  names.map((name) => routeResource({ name, clusters: [{ name: 'backend' }] }));

describe('xds-server delta ADS', () => {
  let harness: XdsHarness;

  beforeAll(async () => {
    harness = await XdsHarness.start({}, 'xds-delta');
  });

  afterAll(async () => {
    await harness.close();
  });

  async function registeredProxy(resources: SnapshotResources) {
    const nodeId = uniqueNodeId();
    const servingKey = `t:acme:${nodeId}`;
    const published = await harness.publish(servingKey, resources, [nodeId]);
    return {
      nodeId,
      node: { id: nodeId },
      published,
      publish: (next: SnapshotResources) => harness.publish(servingKey, next),
    };
  }

  describe('C. delta', () => {
    it('C16 gives each response a nonce, per-resource content versions and system_version_info, and sends only changes', async () => {
      const proxy = await registeredProxy({ cluster: clusters('a', 'b') });
      const stream = harness.delta().send(deltaRequest({ node: proxy.node, typeUrl: CDS }));
      const first = await stream.next();
      ack(stream, first);

      const changed = clusterResource({ name: 'b', connectTimeoutSeconds: 3 });
      const next = await proxy.publish({ cluster: [clusterResource({ name: 'a' }), changed] });
      const update = await stream.next();

      expect(first.resources.map((resource) => [resource.name, resource.version])).toEqual([
        ['a', contentHash(clusters('a')[0]!.bytes)],
        ['b', contentHash(clusters('b')[0]!.bytes)],
      ]);
      expect(first.systemVersionInfo).toBe(proxy.published.manifest.types[CDS]?.version);
      expect(update.nonce).not.toBe(first.nonce);
      expect(update.systemVersionInfo).toBe(next.manifest.types[CDS]?.version);
      expect(update.resources.map((resource) => [resource.name, resource.version])).toEqual([
        ['b', contentHash(changed.bytes)],
      ]);
      stream.end();
    });

    it('C17 applies a subscription change carried by a request with a stale nonce', async () => {
      const proxy = await registeredProxy({ route: routes('r1', 'r2') });
      const stream = harness
        .delta()
        .send(deltaRequest({ node: proxy.node, typeUrl: RDS, resourceNamesSubscribe: ['r1'] }));
      const first = await stream.next();
      ack(stream, first);
      await proxy.publish({
        route: [routeResource({ name: 'r1', clusters: [{ name: 'other' }] }), ...routes('r2')],
      });
      const second = await stream.next();

      ack(stream, first, { resourceNamesSubscribe: ['r2'] });
      ack(stream, second);

      expect(deltaNamesOf(await stream.next())).toEqual(['r2']);
      stream.end();
    });

    it('C18 sends a re-subscribed name again although the client should already hold it', async () => {
      const proxy = await registeredProxy({ route: routes('r') });
      const stream = harness
        .delta()
        .send(deltaRequest({ node: proxy.node, typeUrl: RDS, resourceNamesSubscribe: ['r'] }));
      ack(stream, await stream.next());

      stream.send(deltaRequest({ typeUrl: RDS, resourceNamesSubscribe: ['r'] }));

      expect(deltaNamesOf(await stream.next())).toEqual(['r']);
      stream.end();
    });

    it('C19 needs no response to a pure unsubscribe and ignores a name never subscribed', async () => {
      const proxy = await registeredProxy({ route: routes('r') });
      const stream = harness
        .delta()
        .send(deltaRequest({ node: proxy.node, typeUrl: RDS, resourceNamesSubscribe: ['r'] }));
      ack(stream, await stream.next());

      stream.send(deltaRequest({ typeUrl: RDS, resourceNamesUnsubscribe: ['r', 'never-subscribed'] }));

      await stream.silence(1_000);
      stream.end();
    });

    it('C19 answers unsubscribing a name that the wildcard also covers', async () => {
      const proxy = await registeredProxy({ cluster: clusters('a') });
      const stream = harness
        .delta()
        .send(deltaRequest({ node: proxy.node, typeUrl: CDS, resourceNamesSubscribe: ['*', 'a'] }));
      ack(stream, await stream.next());

      stream.send(deltaRequest({ typeUrl: CDS, resourceNamesUnsubscribe: ['a'] }));

      const response = await stream.next();
      expect(deltaNamesOf(response)).toEqual(['a']);
      expect(response.removedResources).toEqual([]);
      stream.end();
    });

    it('C20 reports a subscribed absent name in removed_resources and delivers it once created (bug: missing never reported)', async () => {
      const proxy = await registeredProxy({ route: routes('present') });
      const stream = harness
        .delta()
        .send(deltaRequest({ node: proxy.node, typeUrl: RDS, resourceNamesSubscribe: ['x'] }));
      const missing = await stream.next();
      expect(missing.removedResources).toEqual(['x']);
      ack(stream, missing);

      await proxy.publish({ route: routes('present', 'x') });

      expect(deltaNamesOf(await stream.next())).toEqual(['x']);
      stream.end();
    });

    it('C21 lists deleted resources in removed_resources', async () => {
      const proxy = await registeredProxy({ cluster: clusters('a', 'b') });
      const stream = harness.delta().send(deltaRequest({ node: proxy.node, typeUrl: CDS }));
      ack(stream, await stream.next());

      await proxy.publish({ cluster: clusters('a') });

      const response = await stream.next();
      expect(response.resources).toEqual([]);
      expect(response.removedResources).toEqual(['b']);
      stream.end();
    });

    it('C22 follows wildcard rules: legacy empty request, * kept when a name is added, unsubscribing * ends it', async () => {
      const proxy = await registeredProxy({ cluster: clusters('a', 'b') });
      const stream = harness.delta().send(deltaRequest({ node: proxy.node, typeUrl: CDS }));
      const all = await stream.next();
      expect(deltaNamesOf(all)).toEqual(['a', 'b']);
      ack(stream, all, { resourceNamesSubscribe: ['a'] });
      const resent = await stream.next();
      expect(deltaNamesOf(resent)).toEqual(['a']);

      ack(stream, resent, { resourceNamesUnsubscribe: ['*'] });
      await proxy.publish({
        cluster: [
          clusterResource({ name: 'a', connectTimeoutSeconds: 2 }),
          clusterResource({ name: 'b', connectTimeoutSeconds: 2 }),
        ],
      });

      expect(deltaNamesOf(await stream.next())).toEqual(['a']);
      stream.end();
    });

    it('C23 answers an empty first wildcard request on an empty snapshot (bug: Envoy waits forever)', async () => {
      const proxy = await registeredProxy({ cluster: [] });
      const stream = harness.delta().send(deltaRequest({ node: proxy.node, typeUrl: CDS }));

      const response = await stream.next();

      expect(response).toMatchObject({ typeUrl: CDS, resources: [], removedResources: [] });
      stream.end();
    });

    it('C24 matches subscriptions on aliases (VHDS <route_config>/<host>)', async () => {
      const proxy = await registeredProxy({
        virtual_host: [
          {
            name: 'rc/vh',
            bytes: encodeResource('virtual_host', { name: 'rc/vh', domains: ['example.com'] }),
            aliases: ['rc/example.com'],
          },
        ],
      });
      const stream = harness.delta().send(
        deltaRequest({
          node: proxy.node,
          typeUrl: VHDS,
          resourceNamesSubscribe: ['rc/example.com', 'rc/unknown.com'],
        }),
      );

      const response = await stream.next();

      expect(response.resources.map((resource) => [resource.name, resource.aliases])).toEqual([
        ['rc/vh', ['rc/example.com']],
      ]);
      expect(response.removedResources).toEqual(['rc/unknown.com']);
      stream.end();
    });
  });

  describe('E and H on delta', () => {
    it('E31 takes error_detail as a NACK, publishes it and does not resend the rejected resources', async () => {
      const proxy = await registeredProxy({ cluster: clusters('a') });
      const stream = harness.delta().send(deltaRequest({ node: proxy.node, typeUrl: CDS }));
      const rejected = await stream.next();

      ack(stream, rejected, { errorDetail: { code: 3, message: 'bad cluster a', details: [] } });

      const event = await harness.event((e) => e.type === 'proxy.nack' && e.aggregateId === proxy.nodeId);
      expect(event.payload).toMatchObject({
        typeUrl: CDS,
        nonce: rejected.nonce,
        errorDetail: 'bad cluster a',
      });
      await stream.silence(1_000);
      stream.end();
    });

    it('H46 keeps one response outstanding per type and coalesces changes made meanwhile', async () => {
      const proxy = await registeredProxy({ cluster: clusters('a') });
      const stream = harness.delta().send(deltaRequest({ node: proxy.node, typeUrl: CDS }));
      const first = await stream.next();
      await proxy.publish({ cluster: clusters('a', 'b') });
      await proxy.publish({ cluster: clusters('c') });
      await stream.silence(500);

      ack(stream, first);

      const response = await stream.next();
      expect(deltaNamesOf(response)).toEqual(['c']);
      expect(response.removedResources).toEqual(['a']);
      stream.end();
    });
  });

  describe('I. reconnect', () => {
    it('I52 honours initial_resource_versions: {a:v1, b:v1} after b was deleted → removed_resources [b] (bug: full resend)', async () => {
      const proxy = await registeredProxy({ cluster: clusters('a', 'b') });
      const before = harness.delta().send(deltaRequest({ node: proxy.node, typeUrl: CDS }));
      const held = await before.next();
      ack(before, held);
      before.end();
      await proxy.publish({ cluster: clusters('a') });

      const after = harness.delta().send(
        deltaRequest({
          node: proxy.node,
          typeUrl: CDS,
          initialResourceVersions: Object.fromEntries(
            held.resources.map((resource) => [resource.name, resource.version]),
          ),
        }),
      );

      const response = await after.next();
      expect(response.resources).toEqual([]);
      expect(response.removedResources).toEqual(['b']);
      after.end();
    });

    it('I52 sends nothing on reconnect when the client holds every subscribed resource at its version', async () => {
      const proxy = await registeredProxy(edgeSnapshot());
      const before = harness
        .delta()
        .send(deltaRequest({ node: proxy.node, typeUrl: RDS, resourceNamesSubscribe: ['http-routes'] }));
      const held = await before.next();
      ack(before, held);
      before.end();

      const after = harness.delta().send(
        deltaRequest({
          node: proxy.node,
          typeUrl: RDS,
          resourceNamesSubscribe: ['http-routes'],
          initialResourceVersions: { 'http-routes': held.resources[0]!.version },
        }),
      );

      await after.silence(1_000);
      after.end();
    });
  });
});
