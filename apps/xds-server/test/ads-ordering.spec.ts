import type {
  DeltaDiscoveryRequest,
  DeltaDiscoveryResponse,
  DiscoveryRequest,
  DiscoveryResponse,
} from '@envoy-fleet/proto/xds';
import {
  clusterResource,
  edgeSnapshot,
  endpointResource,
  type FixtureResources,
  routeResource,
} from '@envoy-fleet/test-kit/snapshots';
import { TYPE_URLS } from '@envoy-fleet/xds';
import { deltaNamesOf, namesOf } from './support/resources';
import type { TestStream } from './support/test-stream';
import { deltaRequest, sotwRequest, uniqueNodeId, XdsHarness } from './support/xds-harness';

const { listener: LDS, route: RDS, cluster: CDS, endpoint: EDS } = TYPE_URLS;

type SotwStream = TestStream<DiscoveryRequest, DiscoveryResponse>;

/** Subscriptions of an Envoy-like client: wildcard LDS and CDS, named EDS and RDS. */
const SUBSCRIPTIONS: Readonly<Record<string, string[]>> = {
  [CDS]: [],
  [EDS]: ['backend'],
  [LDS]: [],
  [RDS]: ['http-routes'],
};

function ack(stream: SotwStream, response: DiscoveryResponse, names = SUBSCRIPTIONS[response.typeUrl] ?? []) {
  stream.send(
    sotwRequest({
      typeUrl: response.typeUrl,
      versionInfo: response.versionInfo,
      responseNonce: response.nonce,
      resourceNames: names,
    }),
  );
}

/** A route configuration sending everything to the named clusters. */
const routesTo = (...clusters: string[]) =>
  routeResource({ name: 'http-routes', clusters: clusters.map((name) => ({ name })) });

describe('xds-server ADS ordering and consistency', () => {
  let harness: XdsHarness;

  beforeAll(async () => {
    harness = await XdsHarness.start({}, 'xds-ordering');
  });

  afterAll(async () => {
    await harness.close();
  });

  /** An Envoy-like SotW client subscribed to all four types, with the first responses ACKed. */
  async function connectedEnvoy(initial: Partial<FixtureResources>) {
    const nodeId = uniqueNodeId('envoy');
    const servingKey = `t:acme:${nodeId}`;
    await harness.publish(servingKey, initial, [nodeId]);
    const stream = harness.sotw();
    stream.send(sotwRequest({ node: { id: nodeId }, typeUrl: CDS }));
    for (const typeUrl of [EDS, LDS, RDS])
      stream.send(sotwRequest({ typeUrl, resourceNames: SUBSCRIPTIONS[typeUrl] }));
    for (let answered = 0; answered < 4; answered += 1) ack(stream, await stream.next());
    return {
      stream,
      publish: (resources: Partial<FixtureResources>) => harness.publish(servingKey, resources),
    };
  }

  /** Reads and ACKs responses until one of `typeUrl` arrives; returns them all in wire order. */
  async function readUntil(stream: SotwStream, typeUrl: string): Promise<DiscoveryResponse[]> {
    const seen: DiscoveryResponse[] = [];
    for (;;) {
      const response = await stream.next();
      seen.push(response);
      ack(stream, response);
      if (response.typeUrl === typeUrl) return seen;
    }
  }

  it('D25/D28 writes CDS (and EDS) before RDS for one change adding a cluster and a route', async () => {
    const envoy = await connectedEnvoy(edgeSnapshot());
    const next = edgeSnapshot({ clusters: ['backend', 'added'] });

    await envoy.publish({ ...next, route: [routesTo('backend', 'added')] });
    const order = (await readUntil(envoy.stream, RDS)).map((response) => response.typeUrl);

    expect(order[0]).toBe(CDS);
    expect(order.at(-1)).toBe(RDS);
    expect(order.indexOf(EDS)).toBeLessThan(order.indexOf(RDS));
    envoy.stream.end();
  });

  it('D25 keeps a removed cluster until the routes that moved off it are ACKed (make before break)', async () => {
    const envoy = await connectedEnvoy(edgeSnapshot({ clusters: ['backend'] }));
    const next = edgeSnapshot({ clusters: ['replacement'] });

    await envoy.publish({ ...next, route: [routesTo('replacement')] });
    const first = await envoy.stream.next();
    expect(first.typeUrl).toBe(CDS);
    expect(namesOf(first)).toEqual(['backend', 'replacement']);
    ack(envoy.stream, first);
    const untilRoutes = await readUntil(envoy.stream, RDS);
    const after = (await readUntil(envoy.stream, CDS)).at(-1)!;

    expect(untilRoutes.map((response) => response.typeUrl)).not.toContain(LDS);
    expect(namesOf(after)).toEqual(['replacement']);
    envoy.stream.end();
  });

  it('D26 does not send a route naming a new cluster while that cluster’s CDS response is unacknowledged', async () => {
    const nodeId = uniqueNodeId('envoy');
    const servingKey = `t:acme:${nodeId}`;
    await harness.publish(servingKey, edgeSnapshot(), [nodeId]);
    const stream = harness.sotw();
    stream.send(sotwRequest({ node: { id: nodeId }, typeUrl: CDS }));
    stream.send(sotwRequest({ typeUrl: RDS, resourceNames: ['http-routes'] }));
    ack(stream, await stream.next());
    ack(stream, await stream.next());
    const next = edgeSnapshot({ clusters: ['backend', 'added'] });

    await harness.publish(servingKey, { ...next, route: [routesTo('added')] });
    const changedClusters = await stream.next();
    await stream.silence(500);
    ack(stream, changedClusters);

    expect(changedClusters.typeUrl).toBe(CDS);
    expect((await stream.next()).typeUrl).toBe(RDS);
    stream.end();
  });

  it('D27 sends the ClusterLoadAssignment again after only the Cluster changed (bug: warming forever)', async () => {
    const envoy = await connectedEnvoy(edgeSnapshot());

    await envoy.publish({
      ...edgeSnapshot(),
      cluster: [clusterResource({ name: 'backend', connectTimeoutSeconds: 4 })],
    });
    const cds = await envoy.stream.next();
    ack(envoy.stream, cds);
    const eds = await envoy.stream.next();

    expect(cds.typeUrl).toBe(CDS);
    expect(eds.typeUrl).toBe(EDS);
    expect(namesOf(eds)).toEqual(['backend']);
    envoy.stream.end();
  });

  it('D29 answers a request for part of the snapshot: C1 of C1, C2 (bug: waiting for the whole snapshot)', async () => {
    const nodeId = uniqueNodeId('grpc');
    await harness.publish(`t:acme:${nodeId}`, edgeSnapshot({ clusters: ['c1', 'c2'] }), [nodeId]);
    const stream = harness
      .sotw()
      .send(sotwRequest({ node: { id: nodeId }, typeUrl: CDS, resourceNames: ['c1'] }));

    expect(namesOf(await stream.next())).toEqual(['c1']);
    stream.end();
  });

  it('D28 keeps the wire order on delta ADS too: CDS before EDS before RDS', async () => {
    const nodeId = uniqueNodeId('envoy');
    const servingKey = `t:acme:${nodeId}`;
    await harness.publish(servingKey, edgeSnapshot(), [nodeId]);
    const stream: TestStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse> = harness.delta();
    stream.send(deltaRequest({ node: { id: nodeId }, typeUrl: CDS }));
    stream.send(deltaRequest({ typeUrl: EDS, resourceNamesSubscribe: ['backend', 'added'] }));
    stream.send(deltaRequest({ typeUrl: RDS, resourceNamesSubscribe: ['http-routes'] }));
    const ackDelta = (response: DeltaDiscoveryResponse) =>
      stream.send(deltaRequest({ typeUrl: response.typeUrl, responseNonce: response.nonce }));
    for (let answered = 0; answered < 3; answered += 1) ackDelta(await stream.next());

    await harness.publish(servingKey, {
      ...edgeSnapshot({ clusters: ['backend', 'added'] }),
      endpoint: [
        endpointResource({ clusterName: 'backend', endpoints: [{ address: '127.0.0.1', port: 9_000 }] }),
        endpointResource({ clusterName: 'added', endpoints: [{ address: '127.0.0.1', port: 9_001 }] }),
      ],
      route: [routesTo('added')],
    });
    const order: string[] = [];
    for (;;) {
      const response = await stream.next();
      order.push(response.typeUrl);
      ackDelta(response);
      if (response.typeUrl === RDS) {
        expect(deltaNamesOf(response)).toEqual(['http-routes']);
        break;
      }
    }

    expect(order).toEqual([CDS, EDS, RDS]);
    stream.end();
  });
});
