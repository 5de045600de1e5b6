import type { CliConfig } from './config';

const REQUEST_TIMEOUT_MS = 5000;

export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
}

/** The API did not answer at all (refused, DNS, timeout); `reason` says which. */
export class ApiUnreachableError extends Error {
  override readonly name = 'ApiUnreachableError';

  constructor(
    readonly apiUrl: string,
    readonly reason: string,
  ) {
    super(`cannot reach the envoy-fleet API at ${apiUrl}: ${reason}`);
  }
}

export class ApiClient {
  constructor(private readonly config: CliConfig) {}

  get baseUrl(): string {
    return this.config.apiUrl;
  }

  /** GETs a path and returns its status and JSON body (or text when the body is not JSON). */
  async get(path: string): Promise<ApiResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.config.token !== undefined) headers.authorization = `Bearer ${this.config.token}`;
    let response: Response;
    try {
      response = await fetch(`${this.config.apiUrl}${path}`, {
        headers,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new ApiUnreachableError(this.config.apiUrl, reasonOf(error));
    }
    const text = await response.text();
    return { status: response.status, body: parseJson(text) };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** fetch reports "fetch failed" and hides the useful part (ECONNREFUSED, ENOTFOUND) in its cause. */
function reasonOf(error: unknown): string {
  if (!isErrorLike(error)) return 'unknown error';
  if (error.name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  return isErrorLike(error.cause) ? error.cause.message : error.message;
}

/** Errors thrown by fetch come from Node's own realm, so `instanceof Error` is not reliable for them. */
function isErrorLike(value: unknown): value is { name: string; message: string; cause?: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { name?: unknown }).name === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}
