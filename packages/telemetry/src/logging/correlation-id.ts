import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** What a caller-supplied id may look like: it is echoed in a header and written to logs. */
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;
const INVALID_TRACE_ID = '0'.repeat(32);

/**
 * The correlation id of an HTTP request: the caller's `x-request-id` when it is sensible, else the trace id
 * of its W3C `traceparent`, else a new UUID.
 */
export function correlationIdFrom(headers: IncomingHttpHeaders): string {
  const requestId = firstValue(headers['x-request-id']);
  if (requestId !== undefined && ACCEPTABLE_REQUEST_ID.test(requestId)) return requestId;
  const traceId = TRACEPARENT.exec(firstValue(headers.traceparent) ?? '')?.[1];
  if (traceId !== undefined && traceId !== INVALID_TRACE_ID) return traceId;
  return randomUUID();
}

function firstValue(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header[0] : header;
}
