import type { ClientDuplexStream, StatusObject } from '@grpc/grpc-js';

const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * A client stream driven request by request: responses are buffered in order and awaited with a timeout,
 * so tests wait for what they expect instead of sleeping.
 */
export class TestStream<Request, Response> {
  private readonly received: Response[] = [];
  private waiter: ((response: Response) => void) | undefined;
  private readonly ended: Promise<StatusObject>;

  constructor(private readonly call: ClientDuplexStream<Request, Response>) {
    call.on('data', (response: Response) => {
      const waiter = this.waiter;
      this.waiter = undefined;
      if (waiter) waiter(response);
      else this.received.push(response);
    });
    this.ended = new Promise((resolve) => call.on('status', resolve));
    // A non-OK status also arrives as 'error'; the status promise reports it.
    call.on('error', () => undefined);
  }

  send(request: Request): this {
    this.call.write(request);
    return this;
  }

  /** The next response, waiting up to `timeoutMs`. */
  next(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Response> {
    const buffered = this.received.shift();
    if (buffered !== undefined) return Promise.resolve(buffered);
    if (this.waiter) throw new Error('next() is already waiting for a response');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no response within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = (response) => {
        clearTimeout(timer);
        resolve(response);
      };
    });
  }

  /** Resolves if no response arrives within `ms`; rejects with the response otherwise. */
  async silence(ms = 1_000): Promise<void> {
    const unexpected = await this.next(ms).then(
      (response) => response,
      () => undefined,
    );
    if (unexpected !== undefined) throw new Error(`expected no response, got ${JSON.stringify(unexpected)}`);
  }

  /** Half-closes the client side. */
  end(): void {
    this.call.end();
  }

  cancel(): void {
    this.call.cancel();
  }

  /** The final status of the RPC, waiting up to `timeoutMs`. */
  status(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<StatusObject> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the stream did not end within ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([this.ended, timeout]).finally(() => clearTimeout(timer));
  }
}
