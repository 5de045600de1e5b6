import type { ProblemDetails } from '../../src/http/problem-details';

/** A response as the tests look at it: status, headers, and the body parsed when it is JSON. */
export interface ApiResponse<T> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  /** The same body read as a problem document, for error responses. */
  readonly problem: ProblemDetails;
  readonly text: string;
}

/** What a test expects back when it does not name a representation. */
export type AnyBody = Readonly<Record<string, unknown>>;

export interface RequestOptions {
  readonly token?: string;
  readonly body?: unknown;
  /** Sent as is instead of `body` as JSON. */
  readonly rawBody?: string;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
}

/** A thin fetch wrapper over the api under test. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly defaultToken?: string,
  ) {}

  as(token: string): ApiClient {
    return new ApiClient(this.baseUrl, token);
  }

  async request<T = AnyBody>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token ?? this.defaultToken;
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) {
      body = options.rawBody;
      headers['content-type'] = options.contentType ?? 'application/json';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    const parsed: unknown = type.includes('json') && text !== '' ? JSON.parse(text) : text;
    return {
      status: response.status,
      headers: response.headers,
      body: parsed as T,
      problem: parsed as ProblemDetails,
      text,
    };
  }

  get<T = AnyBody>(path: string, options?: RequestOptions): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path, options);
  }

  post<T = AnyBody>(path: string, body?: unknown, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, { ...options, body });
  }

  put<T = AnyBody>(path: string, body: unknown, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.request<T>('PUT', path, { ...options, body });
  }

  patch<T = AnyBody>(path: string, body: unknown, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.request<T>('PATCH', path, { contentType: 'application/merge-patch+json', ...options, body });
  }

  delete<T = AnyBody>(path: string, options?: RequestOptions): Promise<ApiResponse<T>> {
    return this.request<T>('DELETE', path, options);
  }
}
