import { buildSnapshot, contentHash, type SnapshotResource, TYPE_URLS } from '@envoy-fleet/xds';
import { ServedSnapshot } from '../cache/served-snapshot';
import { type DeltaRequest, type DeltaResponse, DeltaStream } from './delta-stream';

const { listener: LDS, route: RDS, cluster: CDS, endpoint: EDS, virtual_host: VHDS } = TYPE_URLS;
type Kind = 'listener' | 'route' | 'cluster' | 'endpoint' | 'virtual_host';

function snapshot(
  types: Partial<Record<Kind, Record<string, string>>>,
  aliases: Record<string, readonly string[]> = {},
): ServedSnapshot {
  const built = buildSnapshot(
    Object.fromEntries(
      Object.entries(types).map(([kind, resources]) => [
        kind,
        Object.entries(resources).map(([name, content]): SnapshotResource => ({
          name,
          bytes: Buffer.from(content),
          aliases: aliases[name],
        })),
      ]),
    ),
  );
  return ServedSnapshot.fromManifest(built.manifestHash, built.manifest, built.blobs);
}

const hashOf = (content: string) => contentHash(Buffer.from(content));

function request(typeUrl: string, init: Partial<DeltaRequest> = {}): DeltaRequest {
  return {
    typeUrl,
    subscribe: [],
    unsubscribe: [],
    initialResourceVersions: new Map(),
    responseNonce: '',
    ...init,
  };
}

const ackOf = (response: DeltaResponse, init: Partial<DeltaRequest> = {}) =>
  request(response.typeUrl, { responseNonce: response.nonce, ...init });

function newStream(): DeltaStream {
  let counter = 0;
  return new DeltaStream(() => `n${++counter}`);
}

function ackAll(sut: DeltaStream): DeltaResponse[] {
  const written: DeltaResponse[] = [];
  for (let response = sut.nextResponse(); response; response = sut.nextResponse()) {
    written.push(response);
    sut.handleRequest(ackOf(response));
  }
  return written;
}

const namesOf = (response: DeltaResponse | undefined) => response?.resources.map((resource) => resource.name);

describe(DeltaStream.name, () => {
  describe('wildcard', () => {
    it('answers an empty first wildcard request even when there is nothing', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({}));
      sut.handleRequest(request(CDS));

      expect(sut.nextResponse()).toMatchObject({ typeUrl: CDS, resources: [], removed: [] });
    });

    it('sends every resource with its content hash as version and the type version as system_version_info', () => {
      const sut = newStream();
      const served = snapshot({ cluster: { a: 'A', b: 'B' } });
      sut.setSnapshot(served);
      sut.handleRequest(request(CDS, { subscribe: ['*'] }));

      expect(sut.nextResponse()).toEqual({
        typeUrl: CDS,
        systemVersion: served.type(CDS).version,
        nonce: 'n1',
        resources: [
          { name: 'a', hash: hashOf('A') },
          { name: 'b', hash: hashOf('B') },
        ],
        removed: [],
      });
    });

    it('sends only what changed and lists deleted resources in removed_resources', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { a: 'A', b: 'B', c: 'C' } }));
      sut.handleRequest(request(CDS));
      ackAll(sut);

      sut.setSnapshot(snapshot({ cluster: { a: 'A', b: 'B2' } }));

      expect(sut.nextResponse()).toMatchObject({
        resources: [{ name: 'b', hash: hashOf('B2') }],
        removed: ['c'],
      });
    });

    it('keeps a legacy wildcard when a name is subscribed, and ends it on unsubscribing *', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { a: 'A', b: 'B' } }));
      sut.handleRequest(request(CDS));
      const first = sut.nextResponse()!;
      sut.handleRequest(ackOf(first, { subscribe: ['a'] }));
      const resent = sut.nextResponse()!;
      expect(namesOf(resent)).toEqual(['a']);

      sut.handleRequest(ackOf(resent, { unsubscribe: ['*'] }));
      sut.setSnapshot(snapshot({ cluster: { a: 'A2', b: 'B2' } }));
      expect(sut.nextResponse()).toMatchObject({
        resources: [{ name: 'a', hash: hashOf('A2') }],
        removed: [],
      });
    });

    it('does not take an empty subscription as wildcard once a name was subscribed', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { a: 'A', b: 'B' } }));
      sut.handleRequest(request(CDS, { subscribe: ['a'] }));
      const first = sut.nextResponse()!;
      sut.handleRequest(ackOf(first, { unsubscribe: ['a'] }));

      sut.setSnapshot(snapshot({ cluster: { a: 'A2', b: 'B2' } }));
      expect(sut.nextResponse()).toBeUndefined();
    });

    it('answers unsubscribing a name the wildcard also covers, with the resource', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { a: 'A' } }));
      sut.handleRequest(request(CDS, { subscribe: ['*', 'a'] }));
      sut.handleRequest(ackOf(sut.nextResponse()!));

      sut.handleRequest(request(CDS, { unsubscribe: ['a'] }));

      expect(sut.nextResponse()).toMatchObject({ resources: [{ name: 'a' }], removed: [] });
    });

    it('answers unsubscribing a name the wildcard does not cover, with removed_resources', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: {} }));
      sut.handleRequest(request(CDS, { subscribe: ['*', 'ghost'] }));
      sut.handleRequest(ackOf(sut.nextResponse()!));

      sut.handleRequest(request(CDS, { unsubscribe: ['ghost'] }));

      expect(sut.nextResponse()).toMatchObject({ resources: [], removed: ['ghost'] });
    });
  });

  describe('named subscriptions', () => {
    it('reports a subscribed name that does not exist once, keeps the subscription and sends it when it appears', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ route: {} }));
      sut.handleRequest(request(RDS, { subscribe: ['x'] }));
      const missing = sut.nextResponse()!;
      expect(missing).toMatchObject({ resources: [], removed: ['x'] });
      sut.handleRequest(ackOf(missing));
      expect(sut.nextResponse()).toBeUndefined();

      sut.setSnapshot(snapshot({ route: { x: 'X' } }));
      expect(namesOf(sut.nextResponse())).toEqual(['x']);
    });

    it('sends a re-subscribed name again although the client should hold it', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ route: { x: 'X' } }));
      sut.handleRequest(request(RDS, { subscribe: ['x'] }));
      sut.handleRequest(ackOf(sut.nextResponse()!));

      sut.handleRequest(request(RDS, { subscribe: ['x'] }));

      expect(namesOf(sut.nextResponse())).toEqual(['x']);
    });

    it('needs no response for a pure unsubscribe, and ignores unsubscribing a name never subscribed', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ route: { x: 'X' } }));
      sut.handleRequest(request(RDS, { subscribe: ['x'] }));
      sut.handleRequest(ackOf(sut.nextResponse()!));

      sut.handleRequest(request(RDS, { unsubscribe: ['x', 'never'] }));

      expect(sut.nextResponse()).toBeUndefined();
    });

    it('removes a resource that is deleted while subscribed', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ route: { x: 'X' } }));
      sut.handleRequest(request(RDS, { subscribe: ['x'] }));
      sut.handleRequest(ackOf(sut.nextResponse()!));

      sut.setSnapshot(snapshot({ route: {} }));

      expect(sut.nextResponse()).toMatchObject({ resources: [], removed: ['x'] });
    });

    it('matches subscriptions on aliases and names the resource with the alias used', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ virtual_host: { 'rc/vh': 'VH' } }, { 'rc/vh': ['rc/example.com'] }));
      sut.handleRequest(request(VHDS, { subscribe: ['rc/example.com', 'rc/unknown.com'] }));

      expect(sut.nextResponse()).toMatchObject({
        resources: [{ name: 'rc/vh', hash: hashOf('VH'), aliases: ['rc/example.com'] }],
        removed: ['rc/unknown.com'],
      });
    });
  });

  describe('ACK, NACK and stale nonces', () => {
    it('applies subscription changes of a request with a stale nonce without taking it as an ACK', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ route: { a: 'A', b: 'B' } }));
      sut.handleRequest(request(RDS, { subscribe: ['a'] }));
      const first = sut.nextResponse()!;
      sut.handleRequest(ackOf(first));
      sut.setSnapshot(snapshot({ route: { a: 'A2', b: 'B' } }));
      const second = sut.nextResponse()!;

      expect(sut.handleRequest(ackOf(first, { subscribe: ['b'] }))).toEqual({
        kind: 'stale',
        nonce: first.nonce,
      });
      expect(sut.nextResponse()).toBeUndefined();

      sut.handleRequest(ackOf(second));
      expect(namesOf(sut.nextResponse())).toEqual(['b']);
    });

    it('takes error_detail as a NACK and does not resend the rejected resources', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { a: 'bad' } }));
      sut.handleRequest(request(CDS));
      const rejected = sut.nextResponse()!;

      const outcome = sut.handleRequest(ackOf(rejected, { errorDetail: { code: 3, message: 'no' } }));

      expect(outcome).toMatchObject({ kind: 'nack', detail: { nonce: rejected.nonce, errorMessage: 'no' } });
      expect(sut.nextResponse()).toBeUndefined();
      expect(sut.status()[0]?.status).toBe('NACKED');
    });

    it('keeps one response per type outstanding and coalesces changes made meanwhile', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { a: 'A1', b: 'B1' } }));
      sut.handleRequest(request(CDS));
      const first = sut.nextResponse()!;
      sut.setSnapshot(snapshot({ cluster: { a: 'A2', b: 'B1' } }));
      sut.setSnapshot(snapshot({ cluster: { a: 'A3' } }));
      expect(sut.nextResponse()).toBeUndefined();

      sut.handleRequest(ackOf(first));
      expect(sut.nextResponse()).toMatchObject({
        resources: [{ name: 'a', hash: hashOf('A3') }],
        removed: ['b'],
      });
    });

    it('sends nothing outside the subscription when a queued change is unsubscribed meanwhile', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ route: { a: 'A', b: 'B' } }));
      sut.handleRequest(request(RDS, { subscribe: ['a', 'b'] }));
      const first = sut.nextResponse()!;
      sut.setSnapshot(snapshot({ route: { a: 'A2', b: 'B2' } }));

      sut.handleRequest(ackOf(first, { unsubscribe: ['b'] }));

      expect(sut.nextResponse()).toMatchObject({ resources: [{ name: 'a' }], removed: [] });
    });
  });

  describe('reconnect', () => {
    it('honours initial_resource_versions: skips equal, sends changed, removes vanished', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { a: 'A', c: 'C2' } }));

      sut.handleRequest(
        request(CDS, {
          initialResourceVersions: new Map([
            ['a', hashOf('A')],
            ['b', hashOf('B')],
            ['c', hashOf('C1')],
          ]),
        }),
      );

      expect(sut.nextResponse()).toMatchObject({
        resources: [{ name: 'c', hash: hashOf('C2') }],
        removed: ['b'],
      });
    });

    it('sends nothing to a named client that already holds everything', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ route: { r: 'R' } }));

      sut.handleRequest(
        request(RDS, { subscribe: ['r'], initialResourceVersions: new Map([['r', hashOf('R')]]) }),
      );

      expect(sut.nextResponse()).toBeUndefined();
    });
  });

  describe('ADS ordering and make before break', () => {
    it('writes CDS, EDS, LDS, RDS for one change touching all four', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({}));
      sut.handleRequest(request(RDS, { subscribe: ['routes'] }));
      sut.handleRequest(request(LDS));
      sut.handleRequest(request(EDS, { subscribe: ['x'] }));
      sut.handleRequest(request(CDS));
      ackAll(sut);

      sut.setSnapshot(
        snapshot({
          cluster: { x: 'X' },
          endpoint: { x: 'EX' },
          listener: { l: 'L' },
          route: { routes: 'to x' },
        }),
      );

      expect(ackAll(sut).map((response) => response.typeUrl)).toEqual([CDS, EDS, LDS, RDS]);
    });

    it('writes EDS then RDS without waiting for an ACK when a change only updates what the client holds', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ endpoint: { x: 'EX' }, route: { routes: 'to x' } }));
      sut.handleRequest(request(EDS, { subscribe: ['x'] }));
      sut.handleRequest(request(RDS, { subscribe: ['routes'] }));
      ackAll(sut);

      sut.setSnapshot(snapshot({ endpoint: { x: 'EX2' }, route: { routes: 'to x, retried' } }));
      const written: string[] = [];
      for (let response = sut.nextResponse(); response; response = sut.nextResponse())
        written.push(response.typeUrl);

      expect(written).toEqual([EDS, RDS]);
    });

    it('holds RDS back until a CDS response that added a cluster is ACKed', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { x: 'X' }, route: { routes: 'to x' } }));
      sut.handleRequest(request(CDS));
      sut.handleRequest(request(RDS, { subscribe: ['routes'] }));
      ackAll(sut);

      sut.setSnapshot(snapshot({ cluster: { x: 'X', y: 'Y' }, route: { routes: 'to y' } }));
      const cds = sut.nextResponse()!;
      expect(cds.typeUrl).toBe(CDS);
      expect(sut.nextResponse()).toBeUndefined();

      sut.handleRequest(ackOf(cds));
      expect(sut.nextResponse()?.typeUrl).toBe(RDS);
    });

    it('removes a cluster only after the routes that stopped using it are ACKed', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { x: 'X' }, route: { routes: 'to x' } }));
      sut.handleRequest(request(CDS));
      sut.handleRequest(request(RDS, { subscribe: ['routes'] }));
      ackAll(sut);

      sut.setSnapshot(snapshot({ cluster: { y: 'Y' }, route: { routes: 'to y' } }));
      const cds = sut.nextResponse()!;
      expect(cds).toMatchObject({ typeUrl: CDS, resources: [{ name: 'y' }], removed: [] });
      sut.handleRequest(ackOf(cds));
      const rds = sut.nextResponse()!;
      expect(rds.typeUrl).toBe(RDS);
      expect(sut.nextResponse()).toBeUndefined();

      sut.handleRequest(ackOf(rds));
      expect(sut.nextResponse()).toMatchObject({ typeUrl: CDS, resources: [], removed: ['x'] });
    });

    it('sends the assignment of a changed cluster again', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { x: 'X' }, endpoint: { x: 'EX' } }));
      sut.handleRequest(request(CDS));
      sut.handleRequest(request(EDS, { subscribe: ['x'] }));
      ackAll(sut);

      sut.setSnapshot(snapshot({ cluster: { x: 'X2' }, endpoint: { x: 'EX' } }));

      expect(ackAll(sut).map((response) => [response.typeUrl, namesOf(response)])).toEqual([
        [CDS, ['x']],
        [EDS, ['x']],
      ]);
    });
  });
});
