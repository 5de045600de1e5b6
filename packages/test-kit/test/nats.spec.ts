import { createConnection } from 'node:net';
import { startNatsServer, type PrivateNatsServer } from '../src/nats';

/** Reads the INFO line a NATS server sends first on every connection, or null when refused. */
function readServerInfo(port: number): Promise<Record<string, unknown> | null> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
      const end = received.indexOf('\r\n');
      if (end === -1) return;
      socket.destroy();
      resolve(JSON.parse(received.slice('INFO '.length, end)) as Record<string, unknown>);
    });
    socket.once('error', () => resolve(null));
  });
}

describe(startNatsServer.name, () => {
  let sut: PrivateNatsServer;

  beforeAll(async () => {
    sut = await startNatsServer();
  });

  afterAll(async () => {
    await sut.dispose();
  });

  it('serves NATS with JetStream on its own port', async () => {
    const info = await readServerInfo(sut.port);

    expect(info).toMatchObject({ port: sut.port, jetstream: true });
    expect(sut.url).toBe(`nats://127.0.0.1:${sut.port}`);
  });

  it('stops and starts again on the same port', async () => {
    await sut.stop();
    expect(await readServerInfo(sut.port)).toBeNull();

    await sut.start();
    expect(await readServerInfo(sut.port)).toMatchObject({ port: sut.port });
  });
});
