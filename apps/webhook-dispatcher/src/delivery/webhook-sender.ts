import { lookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { type LookupFunction } from 'node:net';
import type { AttemptResult } from './attempt-verdict';
import { type TargetPolicy, TargetRefusedError } from './target-policy';

/** How much of a response body is kept for the delivery log. */
export const RESPONSE_BODY_LIMIT_BYTES = 4_096;
const USER_AGENT = 'envoy-fleet-webhook-dispatcher/1';

export interface WebhookRequest {
  readonly url: URL;
  /** The Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * POSTs one webhook with node's HTTP client: no redirects followed, every address a host name resolves
 * to checked against the target policy when the connection is made, the whole exchange bounded by
 * `timeoutMs`, and only the first {@link RESPONSE_BODY_LIMIT_BYTES} of the answer read. Never throws:
 * what went wrong is in the result.
 */
export class WebhookSender {
  private readonly lookup: LookupFunction;

  constructor(
    policy: TargetPolicy,
    private readonly timeoutMs: number,
  ) {
    this.lookup = guardedLookup(policy);
  }

  send(request: WebhookRequest): Promise<AttemptResult> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: AttemptResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const transport = request.url.protocol === 'https:' ? https : http;
      const outgoing = transport.request(request.url, {
        method: 'POST',
        lookup: this.lookup,
        headers: {
          ...request.headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(request.body),
          'user-agent': USER_AGENT,
        },
      });
      const timer = setTimeout(
        () => outgoing.destroy(new Error(`no complete response within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      outgoing.on('error', (error) =>
        finish({ kind: 'error', error: describe(error), refused: error instanceof TargetRefusedError }),
      );
      outgoing.on('response', (response) => readAnswer(response, finish));
      outgoing.end(request.body);
    });
  }
}

/**
 * Keeps the start of the body; an answer cut short (too long, or the connection ended) still counts by
 * its status code, which the receiver had sent.
 */
function readAnswer(response: IncomingMessage, finish: (result: AttemptResult) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const answer = (): AttemptResult => ({
    kind: 'response',
    status: response.statusCode ?? 0,
    body: Buffer.concat(chunks)
      .subarray(0, RESPONSE_BODY_LIMIT_BYTES)
      .toString('utf8')
      // PostgreSQL text cannot hold NUL.
      .replaceAll('\u0000', ''),
    retryAfter: response.headers['retry-after'],
  });
  response.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= RESPONSE_BODY_LIMIT_BYTES) {
      finish(answer());
      response.destroy();
    }
  });
  response.on('end', () => finish(answer()));
  response.on('close', () => finish(answer()));
  response.on('error', () => finish(answer()));
}

/** `dns.lookup` that fails with {@link TargetRefusedError} when any address of the name is refused. */
export function guardedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true } satisfies LookupAllOptions, (error, addresses) => {
      if (error !== null) {
        callback(error, '', 0);
        return;
      }
      const refusals = addresses
        .map(({ address }) => policy.refusal(address))
        .filter((refusal) => refusal !== null);
      if (refusals.length > 0) {
        callback(new TargetRefusedError(`refused to deliver to ${hostname}: ${refusals.join('; ')}`), '', 0);
        return;
      }
      if (options.all === true) {
        callback(null, addresses);
        return;
      }
      const [first] = addresses as [LookupAddress, ...LookupAddress[]];
      callback(null, first.address, first.family);
    });
  };
}

function describe(error: Error): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map((inner) => (inner instanceof Error ? inner.message : String(inner))).join('; ');
  }
  return error.message;
}
