import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay to the Docker engine's socket that a test can cut and restore: to the agent behind it,
 * the engine goes away (as when dockerd restarts) and comes back, while the containers run on.
 */
export class DockerRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(
    readonly port: number,
    private readonly socketPath: string,
  ) {}

  static async start(socketPath = '/var/run/docker.sock'): Promise<DockerRelay> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const address = probe.address();
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    if (address === null || typeof address === 'string') throw new Error('no port for the Docker relay');
    const relay = new DockerRelay(address.port, socketPath);
    await relay.resume();
    return relay;
  }

  get dockerHost(): string {
    return `tcp://127.0.0.1:${this.port}`;
  }

  /** Closes the listener and every relayed connection. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async resume(): Promise<void> {
    const server = createServer((client) => {
      const engine = createConnection(this.socketPath);
      this.sockets.add(client);
      this.sockets.add(engine);
      client.pipe(engine).pipe(client);
      const end = (): void => {
        client.destroy();
        engine.destroy();
        this.sockets.delete(client);
        this.sockets.delete(engine);
      };
      client.on('error', end).on('close', end);
      engine.on('error', end).on('close', end);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }
}
