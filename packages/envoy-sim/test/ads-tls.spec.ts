import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerCredentials } from '@grpc/grpc-js';
import { EnvoySim } from '../src/envoy-sim';
import { CLUSTER_TYPE } from '../src/xds/xds-types';
import { AdsTestPeer } from './ads-test-peer';
import { testBootstrap } from './sim-bootstrap';

/** A throwaway CA with a server certificate for xds.test and a client certificate for proxy-1. */
function makeCertificates(): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string> {
  const dir = mkdtempSync(join(tmpdir(), 'envoy-sim-tls-'));
  const file = (name: string): string => join(dir, name);
  const openssl = (args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'ignore' });
  };
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=test-ca',
  ]);
  for (const [name, subject, extension] of [
    ['server', '/CN=xds.test', 'subjectAltName=DNS:xds.test'],
    ['client', '/CN=proxy-1', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    openssl([
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
      '-subj',
      subject,
    ]);
    writeFileSync(file(`${name}.ext`), `${extension}\n`);
    openssl([
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-CAcreateserial',
      '-out',
      file(`${name}.pem`),
      '-days',
      '1',
      '-extfile',
      file(`${name}.ext`),
    ]);
  }
  return {
    ca: file('ca.pem'),
    serverCert: file('server.pem'),
    serverKey: file('server.key'),
    clientCert: file('client.pem'),
    clientKey: file('client.key'),
  };
}

describe('envoy-sim over mTLS', () => {
  const files = makeCertificates();
  let peer: AdsTestPeer;
  let sut: EnvoySim | undefined;

  beforeAll(async () => {
    const credentials = ServerCredentials.createSsl(
      readFileSync(files.ca),
      [{ cert_chain: readFileSync(files.serverCert), private_key: readFileSync(files.serverKey) }],
      true,
    );
    peer = await AdsTestPeer.start(0, credentials);
  });

  afterEach(async () => {
    await sut?.stop();
  });

  afterAll(() => peer.stop());

  it('verifies the server against the CA and presents its client certificate', async () => {
    sut = new EnvoySim({
      bootstrap: testBootstrap(peer.port, 'sotw', {
        tls: {
          caFile: files.ca,
          certFile: files.clientCert,
          keyFile: files.clientKey,
          serverName: 'xds.test',
        },
      }),
    });
    await sut.start();
    const stream = await peer.sotwStream(0);
    expect((await stream.nextRequest()).typeUrl).toBe(CLUSTER_TYPE);
    expect(stream.authContext().sslPeerCertificate?.subject.CN).toBe('proxy-1');
  });

  it('cannot connect without a client certificate', async () => {
    sut = new EnvoySim({
      bootstrap: testBootstrap(peer.port, 'sotw', { tls: { caFile: files.ca, serverName: 'xds.test' } }),
      backoff: { baseMs: 10, maxMs: 20 },
    });
    const disconnected = new Promise((resolve) => sut?.once('disconnected', resolve));
    await sut.start();
    await expect(disconnected).resolves.toMatchObject({ code: 14 });
    expect(sut.connected).toBe(false);
  });
});
