import { buildSnapshot, contentHash, TYPE_URLS } from '@envoy-fleet/xds';
import { ServedSnapshot } from '../cache/served-snapshot';
import { EMPTY_CLUSTER_LOAD_ASSIGNMENT } from './snapshot-view';
import { type SotwRequest, type SotwResponse, SotwStream } from './sotw-stream';

const { listener: LDS, route: RDS, cluster: CDS, endpoint: EDS } = TYPE_URLS;
type Kind = 'listener' | 'route' | 'cluster' | 'endpoint' | 'secret';

/** A snapshot whose resource bytes are the given strings. */
function snapshot(types: Partial<Record<Kind, Record<string, string>>>): ServedSnapshot {
  const built = buildSnapshot(
    Object.fromEntries(
      Object.entries(types).map(([kind, resources]) => [
        kind,
        Object.entries(resources).map(([name, content]) => ({ name, bytes: Buffer.from(content) })),
      ]),
    ),
  );
  return ServedSnapshot.fromManifest(built.manifestHash, built.manifest, built.blobs);
}

const hashOf = (content: string) => contentHash(Buffer.from(content));

function request(
  typeUrl: string,
  resourceNames: readonly string[] = [],
  init: Partial<SotwRequest> = {},
): SotwRequest {
  return { typeUrl, versionInfo: '', resourceNames, responseNonce: '', ...init };
}

function ackOf(response: SotwResponse, resourceNames: readonly string[] = []): SotwRequest {
  return request(response.typeUrl, resourceNames, {
    versionInfo: response.version,
    responseNonce: response.nonce,
  });
}

function nackOf(
  response: SotwResponse,
  versionInfo: string,
  resourceNames: readonly string[] = [],
): SotwRequest {
  return request(response.typeUrl, resourceNames, {
    versionInfo,
    responseNonce: response.nonce,
    errorDetail: { code: 3, message: 'rejected' },
  });
}

function drain(sut: SotwStream): SotwResponse[] {
  const responses: SotwResponse[] = [];
  for (let response = sut.nextResponse(); response; response = sut.nextResponse()) responses.push(response);
  return responses;
}

const namesOf = (response: SotwResponse | undefined) => response?.resources.map((resource) => resource.name);

function newStream(): SotwStream {
  let counter = 0;
  return new SotwStream(() => `n${++counter}`);
}

describe(SotwStream.name, () => {
  describe('stream lifecycle', () => {
    it('answers nothing before it has a snapshot', () => {
      const sut = newStream();
      sut.handleRequest(request(CDS));

      expect(sut.nextResponse()).toBeUndefined();
    });

    it('gives every response a nonce unique within the stream', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { a: 'A' }, listener: { l: 'L' } }));
      sut.handleRequest(request(CDS));
      sut.handleRequest(request(LDS));
      const cds = sut.nextResponse();
      sut.handleRequest(ackOf(cds!));
      const lds = sut.nextResponse();
      sut.handleRequest(ackOf(lds!));
      sut.setSnapshot(snapshot({ cluster: { a: 'A2' }, listener: { l: 'L' } }));
      const cds2 = sut.nextResponse();

      expect(new Set([cds!.nonce, lds!.nonce, cds2!.nonce]).size).toBe(3);
    });

    it('keeps a version per type, derived from content', () => {
      const sut = newStream();
      const first = snapshot({ cluster: { a: 'A' }, listener: { l: 'L' } });
      sut.setSnapshot(first);
      sut.handleRequest(request(CDS));
      sut.handleRequest(request(LDS));
      const cds = sut.nextResponse();
      sut.handleRequest(ackOf(cds!));
      const lds = sut.nextResponse();

      expect(cds!.version).toBe(first.type(CDS).version);
      expect(lds!.version).toBe(first.type(LDS).version);
      expect(cds!.version).not.toBe(lds!.version);
    });

    it('ignores a nonce on the first request for a type (it belongs to another stream)', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { a: 'A' } }));
      const outcome = sut.handleRequest(
        request(CDS, [], { responseNonce: 'from-another-stream', versionInfo: 'v0' }),
      );

      expect(outcome).toEqual({ kind: 'subscription' });
      expect(namesOf(sut.nextResponse())).toEqual(['a']);
    });
  });

  describe('state of the world', () => {
    it('answers the first wildcard request even with no resources', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({}));
      sut.handleRequest(request(LDS));

      expect(sut.nextResponse()).toMatchObject({ typeUrl: LDS, resources: [] });
    });

    it('sends LDS and CDS in full when one resource changes', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ listener: { l1: 'L1', l2: 'L2' } }));
      sut.handleRequest(request(LDS, ['l1', 'l2']));
      sut.handleRequest(ackOf(sut.nextResponse()!, ['l1', 'l2']));
      sut.setSnapshot(snapshot({ listener: { l1: 'L1 changed', l2: 'L2' } }));

      expect(sut.nextResponse()?.resources).toEqual([
        { name: 'l1', hash: hashOf('L1 changed') },
        { name: 'l2', hash: hashOf('L2') },
      ]);
    });

    it('sends an empty LDS response when every listener is deleted', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ listener: { l1: 'L1' } }));
      sut.handleRequest(request(LDS));
      sut.handleRequest(ackOf(sut.nextResponse()!));
      sut.setSnapshot(snapshot({ listener: {} }));

      expect(sut.nextResponse()?.resources).toEqual([]);
    });

    it('sends only the requested RDS names', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ route: { r1: 'R1', r2: 'R2' } }));
      sut.handleRequest(request(RDS, ['r2']));

      expect(namesOf(sut.nextResponse())).toEqual(['r2']);
    });

    it('answers a request for part of the snapshot without waiting for the rest', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { c1: 'C1', c2: 'C2' } }));
      sut.handleRequest(request(CDS, ['c1']));

      expect(namesOf(sut.nextResponse())).toEqual(['c1']);
    });

    it('does not answer an RDS change that removes a route only (SotW cannot delete it)', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ route: { r1: 'R1', r2: 'R2' } }));
      sut.handleRequest(request(RDS, ['r1', 'r2']));
      sut.handleRequest(ackOf(sut.nextResponse()!, ['r1', 'r2']));
      sut.setSnapshot(snapshot({ route: { r1: 'R1' } }));

      expect(sut.nextResponse()).toBeUndefined();
    });

    it('does not answer an ACK when nothing changed (no ping-pong)', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { a: 'A' }, route: {} }));
      sut.handleRequest(request(CDS));
      sut.handleRequest(request(RDS, ['missing']));
      const [cds] = drain(sut);
      sut.handleRequest(ackOf(cds!));
      sut.handleRequest(request(RDS, ['missing'], { responseNonce: cds!.nonce }));

      expect(sut.nextResponse()).toBeUndefined();
    });
  });

  describe('ACK and NACK', () => {
    it('takes a request echoing the last nonce without error_detail as an ACK', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { a: 'A' } }));
      sut.handleRequest(request(CDS));
      const response = sut.nextResponse()!;

      expect(sut.handleRequest(ackOf(response))).toEqual({
        kind: 'ack',
        typeUrl: CDS,
        nonce: response.nonce,
        version: response.version,
      });
    });

    it('takes error_detail as a NACK even when the version is the new one, and does not resend it', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { a: 'A' } }));
      sut.handleRequest(request(CDS));
      sut.handleRequest(ackOf(sut.nextResponse()!));
      sut.setSnapshot(snapshot({ cluster: { a: 'bad' } }));
      const rejected = sut.nextResponse()!;

      const outcome = sut.handleRequest(nackOf(rejected, rejected.version));

      expect(outcome).toMatchObject({
        kind: 'nack',
        detail: { nonce: rejected.nonce, version: rejected.version, rejectedVersion: rejected.version },
      });
      expect(sut.nextResponse()).toBeUndefined();
    });

    it('sends the next version after a NACK', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { a: 'bad' } }));
      sut.handleRequest(request(CDS));
      sut.handleRequest(nackOf(sut.nextResponse()!, ''));
      sut.setSnapshot(snapshot({ cluster: { a: 'fixed' } }));

      expect(sut.nextResponse()?.resources).toEqual([{ name: 'a', hash: hashOf('fixed') }]);
    });

    it('applies the resource names a NACK carries', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ route: { r1: 'R1', r2: 'R2' } }));
      sut.handleRequest(request(RDS, ['r1']));
      sut.handleRequest(nackOf(sut.nextResponse()!, '', ['r1', 'r2']));

      expect(namesOf(sut.nextResponse())).toEqual(['r1', 'r2']);
    });

    it('does not take a request with a stale nonce as ACK, records its names and serves them after the ACK', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ route: { r1: 'R1', r2: 'R2' } }));
      sut.handleRequest(request(RDS, ['r1']));
      const first = sut.nextResponse()!;
      sut.handleRequest(ackOf(first, ['r1']));
      sut.setSnapshot(snapshot({ route: { r1: 'R1 changed', r2: 'R2' } }));
      const second = sut.nextResponse()!;

      const stale = sut.handleRequest(request(RDS, ['r1', 'r2'], { responseNonce: first.nonce }));
      expect(stale).toEqual({ kind: 'stale', nonce: first.nonce });
      expect(sut.nextResponse()).toBeUndefined();

      sut.handleRequest(ackOf(second, ['r1', 'r2']));
      expect(namesOf(sut.nextResponse())).toEqual(['r1', 'r2']);
    });
  });

  describe('subscriptions', () => {
    it('resends a name added back at the same version', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ route: { a: 'A' } }));
      sut.handleRequest(request(RDS, ['a']));
      const response = sut.nextResponse()!;
      sut.handleRequest(ackOf(response, ['a']));
      sut.handleRequest(ackOf(response, []));
      expect(sut.nextResponse()).toBeUndefined();

      sut.handleRequest(ackOf(response, ['a']));
      expect(namesOf(sut.nextResponse())).toEqual(['a']);
    });

    it('follows the legacy wildcard rules: [] is *, * plus A keeps it, A alone drops it, [] then is nothing', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { a: 'A', b: 'B' } }));
      sut.handleRequest(request(CDS));
      let response = sut.nextResponse()!;
      expect(namesOf(response)).toEqual(['a', 'b']);

      sut.handleRequest(ackOf(response, ['*', 'a']));
      expect(sut.nextResponse()).toBeUndefined();

      sut.handleRequest(ackOf(response, ['a']));
      sut.setSnapshot(snapshot({ cluster: { a: 'A2', b: 'B2' } }));
      response = sut.nextResponse()!;
      expect(namesOf(response)).toEqual(['a']);

      sut.handleRequest(ackOf(response, []));
      sut.setSnapshot(snapshot({ cluster: { a: 'A3', b: 'B3' } }));
      expect(sut.nextResponse()).toBeUndefined();
    });

    it('takes an empty first request for RDS as no subscription', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ route: { r: 'R' } }));
      sut.handleRequest(request(RDS));

      expect(sut.nextResponse()).toBeUndefined();
    });

    it('sends a requested resource as soon as it exists', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ route: {} }));
      sut.handleRequest(request(RDS, ['later']));
      expect(sut.nextResponse()).toBeUndefined();

      sut.setSnapshot(snapshot({ route: { later: 'R' } }));
      expect(namesOf(sut.nextResponse())).toEqual(['later']);
    });

    it('treats an unsubscribe-all then resubscribe with the old nonce as an ordinary change', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ listener: { l: 'L' } }));
      sut.handleRequest(request(LDS, ['l']));
      const response = sut.nextResponse()!;
      sut.handleRequest(ackOf(response, ['l']));
      sut.handleRequest(ackOf(response, []));

      const outcome = sut.handleRequest(ackOf(response, ['l']));

      expect(outcome).toEqual({ kind: 'subscription' });
      expect(namesOf(sut.nextResponse())).toEqual(['l']);
    });
  });

  describe('resources that do not exist', () => {
    it('answers an EDS name without endpoints with an empty ClusterLoadAssignment, then the real one', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ endpoint: {} }));
      sut.handleRequest(request(EDS, ['c']));
      const empty = sut.nextResponse()!;
      expect(empty.resources).toEqual([{ name: 'c', hash: EMPTY_CLUSTER_LOAD_ASSIGNMENT }]);

      sut.handleRequest(ackOf(empty, ['c']));
      sut.setSnapshot(snapshot({ endpoint: { c: 'E' } }));
      expect(sut.nextResponse()?.resources).toEqual([{ name: 'c', hash: hashOf('E') }]);
    });

    it('reports requested names that do not exist in its status', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ route: { r: 'R' } }));
      sut.handleRequest(request(RDS, ['r', 'gone']));

      expect(sut.status()[0]?.missing).toEqual(['gone']);
    });
  });

  describe('ADS ordering and make before break', () => {
    function ackAll(sut: SotwStream, subscriptions: Record<string, readonly string[]>): SotwResponse[] {
      const written: SotwResponse[] = [];
      for (let response = sut.nextResponse(); response; response = sut.nextResponse()) {
        written.push(response);
        sut.handleRequest(ackOf(response, subscriptions[response.typeUrl] ?? []));
      }
      return written;
    }

    const subscriptions = { [CDS]: [], [LDS]: [], [EDS]: ['x', 'y'], [RDS]: ['routes'] };

    it('writes CDS, EDS, LDS, RDS in that order for one change touching all four', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: {}, listener: {}, endpoint: {}, route: {} }));
      sut.handleRequest(request(RDS, ['routes']));
      sut.handleRequest(request(LDS));
      sut.handleRequest(request(EDS, ['x']));
      sut.handleRequest(request(CDS));
      ackAll(sut, { ...subscriptions, [EDS]: ['x'] });

      sut.setSnapshot(
        snapshot({
          cluster: { x: 'X' },
          endpoint: { x: 'EX' },
          listener: { l: 'L' },
          route: { routes: 'to x' },
        }),
      );
      const written = ackAll(sut, { ...subscriptions, [EDS]: ['x'] });

      expect(written.map((response) => response.typeUrl)).toEqual([CDS, EDS, LDS, RDS]);
    });

    it('holds RDS back until CDS is answered', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { x: 'X' }, route: { routes: 'to x' } }));
      sut.handleRequest(request(CDS));
      sut.handleRequest(request(RDS, ['routes']));
      const cds = sut.nextResponse()!;
      expect(cds.typeUrl).toBe(CDS);
      expect(sut.nextResponse()).toBeUndefined();
      sut.handleRequest(ackOf(cds));
      sut.handleRequest(ackOf(sut.nextResponse()!, ['routes']));

      sut.setSnapshot(snapshot({ cluster: { x: 'X', y: 'Y' }, route: { routes: 'to y' } }));
      const changed = sut.nextResponse()!;
      expect(changed.typeUrl).toBe(CDS);
      expect(sut.nextResponse()).toBeUndefined();

      sut.handleRequest(ackOf(changed));
      expect(sut.nextResponse()?.typeUrl).toBe(RDS);
    });

    it('writes EDS right after CDS, without waiting for the CDS ACK, when a cluster changes', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { x: 'X' }, endpoint: { x: 'EX' } }));
      sut.handleRequest(request(CDS));
      sut.handleRequest(request(EDS, ['x']));
      ackAll(sut, { [EDS]: ['x'] });

      sut.setSnapshot(snapshot({ cluster: { x: 'X2' }, endpoint: { x: 'EX2' } }));

      expect([sut.nextResponse()?.typeUrl, sut.nextResponse()?.typeUrl]).toEqual([CDS, EDS]);
      expect(sut.nextResponse()).toBeUndefined();
    });

    it('writes EDS then RDS without waiting for an ACK when a change only updates what the client holds', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ endpoint: { x: 'EX' }, route: { routes: 'to x' } }));
      sut.handleRequest(request(EDS, ['x']));
      sut.handleRequest(request(RDS, ['routes']));
      ackAll(sut, { [EDS]: ['x'], [RDS]: ['routes'] });

      sut.setSnapshot(snapshot({ endpoint: { x: 'EX2' }, route: { routes: 'to x, retried' } }));
      const written = drain(sut);

      expect(written.map((response) => response.typeUrl)).toEqual([EDS, RDS]);
      sut.handleRequest(ackOf(written[1]!, ['routes']));
      sut.handleRequest(ackOf(written[0]!, ['x']));
      expect(sut.status().map((type) => type.status)).toEqual(['SYNCED', 'SYNCED']);
    });

    it('lets only EDS follow a CDS response that added a cluster before its ACK', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { x: 'X' }, endpoint: { x: 'EX' }, route: { routes: 'to x' } }));
      sut.handleRequest(request(CDS));
      sut.handleRequest(request(EDS, ['x']));
      sut.handleRequest(request(RDS, ['routes']));
      ackAll(sut, { [EDS]: ['x'], [RDS]: ['routes'] });

      sut.setSnapshot(
        snapshot({
          cluster: { x: 'X2', y: 'Y' },
          endpoint: { x: 'EX', y: 'EY' },
          route: { routes: 'to x and y' },
        }),
      );

      expect(drain(sut).map((response) => [response.typeUrl, namesOf(response)])).toEqual([
        [CDS, ['x', 'y']],
        [EDS, ['x']],
      ]);
    });

    it('sends no assignment of a cluster the client has not been sent, even to an EDS wildcard', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { x: 'X' }, endpoint: { x: 'EX' } }));
      sut.handleRequest(request(CDS));
      sut.handleRequest(request(EDS, ['*']));
      ackAll(sut, { [EDS]: ['*'] });
      sut.setSnapshot(snapshot({ cluster: { x: 'X2' }, endpoint: { x: 'EX' } }));
      const cds = sut.nextResponse()!;
      const eds = sut.nextResponse()!;

      sut.setSnapshot(snapshot({ cluster: { x: 'X2', z: 'Z' }, endpoint: { x: 'EX', z: 'EZ' } }));
      sut.handleRequest(ackOf(eds, ['*']));
      expect(sut.nextResponse()).toBeUndefined();

      sut.handleRequest(ackOf(cds));
      expect(drain(sut).map((response) => [response.typeUrl, namesOf(response)])).toEqual([
        [CDS, ['x', 'z']],
        [EDS, ['x', 'z']],
      ]);
    });

    it('lets a NACK of CDS release the types after it', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { x: 'X' }, route: { routes: 'to x' } }));
      sut.handleRequest(request(CDS));
      sut.handleRequest(request(RDS, ['routes']));

      sut.handleRequest(nackOf(sut.nextResponse()!, ''));

      expect(sut.nextResponse()?.typeUrl).toBe(RDS);
    });

    it('keeps a removed cluster until the routes that stopped using it are ACKed', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { x: 'X' }, listener: { l: 'L' }, route: { routes: 'to x' } }));
      sut.handleRequest(request(CDS));
      sut.handleRequest(request(LDS));
      sut.handleRequest(request(RDS, ['routes']));
      ackAll(sut, subscriptions);

      sut.setSnapshot(snapshot({ cluster: { y: 'Y' }, listener: { l: 'L' }, route: { routes: 'to y' } }));
      const cds = sut.nextResponse()!;
      expect(namesOf(cds)).toEqual(['x', 'y']);
      sut.handleRequest(ackOf(cds));
      const rds = sut.nextResponse()!;
      expect(rds.typeUrl).toBe(RDS);
      expect(sut.nextResponse()).toBeUndefined();

      sut.handleRequest(ackOf(rds, ['routes']));
      const after = sut.nextResponse()!;
      expect(after.typeUrl).toBe(CDS);
      expect(namesOf(after)).toEqual(['y']);
      expect(after.version).not.toBe(cds.version);
    });

    it('keeps a removed cluster while the new routes are NACKed', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { x: 'X' }, route: { routes: 'to x' } }));
      sut.handleRequest(request(CDS));
      sut.handleRequest(request(RDS, ['routes']));
      ackAll(sut, subscriptions);

      sut.setSnapshot(snapshot({ cluster: { y: 'Y' }, route: { routes: 'to y' } }));
      sut.handleRequest(ackOf(sut.nextResponse()!));
      sut.handleRequest(nackOf(sut.nextResponse()!, 'old', ['routes']));

      expect(sut.nextResponse()).toBeUndefined();
    });

    it('removes a cluster at once when no route changes', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { x: 'X', y: 'Y' }, route: { routes: 'to y' } }));
      sut.handleRequest(request(CDS));
      sut.handleRequest(request(RDS, ['routes']));
      ackAll(sut, subscriptions);

      sut.setSnapshot(snapshot({ cluster: { y: 'Y' }, route: { routes: 'to y' } }));

      expect(namesOf(sut.nextResponse())).toEqual(['y']);
    });

    it('sends EDS again after a cluster changes even when its endpoints did not', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { x: 'X' }, endpoint: { x: 'EX' } }));
      sut.handleRequest(request(CDS));
      sut.handleRequest(request(EDS, ['x']));
      ackAll(sut, { [EDS]: ['x'] });

      sut.setSnapshot(snapshot({ cluster: { x: 'X with a new timeout' }, endpoint: { x: 'EX' } }));
      const written = ackAll(sut, { [EDS]: ['x'] });

      expect(written.map((response) => response.typeUrl)).toEqual([CDS, EDS]);
      expect(written[1]?.resources).toEqual([{ name: 'x', hash: hashOf('EX') }]);
    });
  });

  describe('flow control', () => {
    it('keeps one response per type outstanding and sends only the latest state after the ACK', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ cluster: { a: 'A1' } }));
      sut.handleRequest(request(CDS));
      const first = sut.nextResponse()!;
      sut.setSnapshot(snapshot({ cluster: { a: 'A2' } }));
      sut.setSnapshot(snapshot({ cluster: { a: 'A3' } }));
      expect(sut.nextResponse()).toBeUndefined();

      sut.handleRequest(ackOf(first));
      expect(sut.nextResponse()?.resources).toEqual([{ name: 'a', hash: hashOf('A3') }]);
      expect(sut.nextResponse()).toBeUndefined();
    });

    it('re-checks a waiting response against the subscription when it is finally sent', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ route: { r1: 'R1', r2: 'R2' } }));
      sut.handleRequest(request(RDS, ['r1', 'r2']));
      const first = sut.nextResponse()!;
      sut.setSnapshot(snapshot({ route: { r1: 'R1 changed', r2: 'R2 changed' } }));

      sut.handleRequest(ackOf(first, ['r1']));

      expect(namesOf(sut.nextResponse())).toEqual(['r1']);
    });
  });

  describe('status', () => {
    it('goes NOT_SENT, STALE, SYNCED, NACKED', () => {
      const sut = newStream();
      sut.setSnapshot(snapshot({ route: {} }));
      sut.handleRequest(request(RDS, ['r']));
      expect(sut.status()[0]?.status).toBe('NOT_SENT');

      sut.setSnapshot(snapshot({ route: { r: 'R' } }));
      const response = sut.nextResponse()!;
      expect(sut.status()[0]?.status).toBe('STALE');

      sut.handleRequest(ackOf(response, ['r']));
      expect(sut.status()[0]).toMatchObject({ status: 'SYNCED', ackedVersion: response.version });

      sut.setSnapshot(snapshot({ route: { r: 'bad' } }));
      sut.handleRequest(nackOf(sut.nextResponse()!, response.version, ['r']));
      expect(sut.status()[0]).toMatchObject({ status: 'NACKED', lastNack: { errorMessage: 'rejected' } });
    });
  });
});
