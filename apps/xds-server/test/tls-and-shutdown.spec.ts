import { credentials, status as GrpcStatus } from '@grpc/grpc-js';
import { edgeSnapshot } from '@envoy-fleet/test-kit/snapshots';
import { TYPE_URLS } from '@envoy-fleet/xds';
import { namesOf } from './support/resources';
import { TestCertificateAuthority } from './support/test-certificates';
import { deltaRequest, sotwRequest, uniqueNodeId, XdsHarness } from './support/xds-harness';

const { cluster: CDS } = TYPE_URLS;

describe('xds-server mTLS identity', () => {
  let authority: TestCertificateAuthority;
  let harness: XdsHarness;
  let nodeId: string;

  beforeAll(async () => {
    authority = TestCertificateAuthority.create();
    const server = authority.issue('xds-server', 'IP:127.0.0.1,DNS:localhost');
    harness = await XdsHarness.start(
      { tls: { cert: server.cert, key: server.key, ca: authority.ca } },
      'xds-mtls',
    );
    nodeId = uniqueNodeId();
    await harness.publish(`t:acme:${nodeId}`, edgeSnapshot(), [nodeId]);
  });

  afterAll(async () => {
    await harness.close();
    authority.dispose();
  });

  function clientWith(subjectAltName: string) {
    const issued = authority.issue(
      `client-${subjectAltName.length}-${Math.random().toString(36).slice(2)}`,
      subjectAltName,
    );
    return harness.ads(credentials.createSsl(authority.ca, issued.key, issued.cert));
  }

  it('serves a proxy whose certificate names its tenant and node id', async () => {
    const client = clientWith(`URI:spiffe://envoy-fleet/tenant/acme/proxy/${nodeId}`);
    const stream = harness.sotw(client).send(sotwRequest({ node: { id: nodeId }, typeUrl: CDS }));

    expect(namesOf(await stream.next())).toEqual(['backend']);
    stream.end();
  });

  it('refuses a certificate issued to another node with PERMISSION_DENIED', async () => {
    const client = clientWith('URI:spiffe://envoy-fleet/tenant/acme/proxy/someone-else');
    const stream = harness.sotw(client).send(sotwRequest({ node: { id: nodeId }, typeUrl: CDS }));

    expect(await stream.status()).toMatchObject({
      code: GrpcStatus.PERMISSION_DENIED,
      details: `the client certificate identifies tenant "acme" proxy "someone-else", not tenant "acme" proxy "${nodeId}"`,
    });
  });

  it('refuses a certificate of the right node id in another tenant with PERMISSION_DENIED', async () => {
    const client = clientWith(`URI:spiffe://envoy-fleet/tenant/globex/proxy/${nodeId}`);
    const stream = harness.delta(client).send(deltaRequest({ node: { id: nodeId }, typeUrl: CDS }));

    expect((await stream.status()).code).toBe(GrpcStatus.PERMISSION_DENIED);
  });

  it('refuses a certificate without a SPIFFE identity', async () => {
    const client = clientWith('DNS:proxy.example.com');
    const stream = harness.sotw(client).send(sotwRequest({ node: { id: nodeId }, typeUrl: CDS }));

    expect(await stream.status()).toMatchObject({
      code: GrpcStatus.PERMISSION_DENIED,
      details: 'the client certificate has no URI SAN spiffe://envoy-fleet/tenant/<tenant>/proxy/<node id>',
    });
  });

  it('does not let a client without a certificate in', async () => {
    const client = harness.ads(credentials.createSsl(authority.ca));
    const stream = harness.sotw(client).send(sotwRequest({ node: { id: nodeId }, typeUrl: CDS }));

    expect((await stream.status()).code).toBe(GrpcStatus.UNAVAILABLE);
  });
});

describe('xds-server shutdown and connection age', () => {
  it('A8 ends every stream with OK on shutdown and accepts no new ones', async () => {
    const harness = await XdsHarness.start({}, 'xds-shutdown');
    try {
      const nodeId = uniqueNodeId();
      await harness.publish(`t:acme:${nodeId}`, edgeSnapshot(), [nodeId]);
      const sotw = harness.sotw().send(sotwRequest({ node: { id: nodeId }, typeUrl: CDS }));
      const delta = harness.delta().send(deltaRequest({ node: { id: nodeId }, typeUrl: CDS }));
      await Promise.all([sotw.next(), delta.next()]);

      await harness.server.stop();

      expect((await sotw.status()).code).toBe(GrpcStatus.OK);
      expect((await delta.status()).code).toBe(GrpcStatus.OK);
      expect(harness.server.streamCount).toBe(0);
      const late = harness.sotw().send(sotwRequest({ node: { id: nodeId }, typeUrl: CDS }));
      expect((await late.status()).code).toBe(GrpcStatus.UNAVAILABLE);
    } finally {
      await harness.close();
    }
  });

  it('ages connections out (XDS_MAX_CONNECTION_AGE_MS) so that the client reconnects and is served again', async () => {
    const harness = await XdsHarness.start(
      { maxConnectionAgeMs: 500, maxConnectionAgeGraceMs: 200 },
      'xds-max-age',
    );
    try {
      const nodeId = uniqueNodeId();
      await harness.publish(`t:acme:${nodeId}`, edgeSnapshot(), [nodeId]);
      const client = harness.ads();
      const first = harness.sotw(client).send(sotwRequest({ node: { id: nodeId }, typeUrl: CDS }));
      await first.next();

      const ended = await first.status(5_000);
      const second = harness.sotw(client).send(sotwRequest({ node: { id: nodeId }, typeUrl: CDS }));

      // GOAWAY at the maximum age, then the connection closes when the grace period ends.
      expect(ended.code).toBe(GrpcStatus.UNAVAILABLE);
      expect(namesOf(await second.next())).toEqual(['backend']);
      second.end();
    } finally {
      await harness.close();
    }
  });
});
