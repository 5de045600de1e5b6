import type { CliConfig } from './config';

const REQUEST_TIMEOUT_MS = 5000;

export interface RequestOptions {
  /** The `accept` header; default JSON. */
  readonly accept?: string;
  /** How long to wait for the answer (for a stream: its headers); default 5 s. */
  readonly timeoutMs?: number;
}

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

/** The API answered with an error; `message` is its problem document's title and detail. */
export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError';

  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }

  static of(response: ApiResponse): ApiRequestError {
    const problem = problemOf(response.body);
    const explanation =
      problem === null
        ? typeof response.body === 'string' && response.body !== ''
          ? response.body
          : 'no explanation'
        : `${problem.title}: ${problem.detail}`;
    return new ApiRequestError(response.status, `the API answered ${response.status}: ${explanation}`);
  }
}

export class ApiClient {
  constructor(private readonly config: CliConfig) {}

  get baseUrl(): string {
    return this.config.apiUrl;
  }

  /** GETs a path and returns its status and JSON body (or text when the body is not JSON). */
  async get(path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
    const response = await this.fetch(path, options.accept, AbortSignal.timeout(timeoutMs), timeoutMs);
    const text = await response.text().catch((error: unknown) => {
      throw new ApiUnreachableError(this.config.apiUrl, reasonOf(error, timeoutMs));
    });
    return { status: response.status, body: parseJson(text) };
  }

  /**
   * GETs a path whose body comes as a stream (a followed log), handing each piece of text to `onText`
   * until the API ends it. Only the wait for the response's headers is limited in time.
   */
  async stream(path: string, onText: (text: string) => void, options: RequestOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DOMException('no answer', 'TimeoutError')),
      timeoutMs,
    );
    let response: Response;
    try {
      response = await this.fetch(path, options.accept, controller.signal, timeoutMs);
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok || response.body === null) {
      throw ApiRequestError.of({ status: response.status, body: parseJson(await response.text()) });
    }
    const decoder = new TextDecoder();
    try {
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      for (let piece = await reader.read(); !piece.done; piece = await reader.read()) {
        onText(decoder.decode(piece.value, { stream: true }));
      }
    } catch (error) {
      throw new ApiUnreachableError(this.config.apiUrl, `the stream broke off: ${reasonOf(error, 0)}`);
    }
    const rest = decoder.decode();
    if (rest !== '') onText(rest);
  }

  private async fetch(
    path: string,
    accept: string | undefined,
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: accept ?? 'application/json' };
    if (this.config.token !== undefined) headers.authorization = `Bearer ${this.config.token}`;
    try {
      return await fetch(`${this.config.apiUrl}${path}`, { headers, signal });
    } catch (error) {
      throw new ApiUnreachableError(this.config.apiUrl, reasonOf(error, timeoutMs));
    }
  }
}

function problemOf(body: unknown): { title: string; detail: string } | null {
  if (typeof body !== 'object' || body === null) return null;
  const { title, detail } = body as { title?: unknown; detail?: unknown };
  return typeof title === 'string' && typeof detail === 'string' ? { title, detail } : null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** fetch reports "fetch failed" and hides the useful part (ECONNREFUSED, ENOTFOUND) in its cause. */
function reasonOf(error: unknown, timeoutMs: number): string {
  if (!isErrorLike(error)) return 'unknown error';
  if (error.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
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
