import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
} from '@opentelemetry/api';

/** Message headers as plain strings: the carrier for W3C trace context (`traceparent`, `tracestate`). */
export type MessageHeaders = Record<string, string>;

const tracer = trace.getTracer('@envoy-fleet/messaging');

/**
 * Runs `send` inside a PRODUCER span that is a child of the active context, and hands it the
 * headers that carry the span's context to the consumers.
 */
export function withPublishSpan<T>(
  subject: string,
  messageId: string,
  send: (headers: MessageHeaders) => Promise<T>,
): Promise<T> {
  const attributes = {
    'messaging.system': 'nats',
    'messaging.operation.type': 'publish',
    'messaging.destination.name': subject,
    'messaging.message.id': messageId,
  };
  return tracer.startActiveSpan(`publish ${subject}`, { kind: SpanKind.PRODUCER, attributes }, (span) =>
    traced(span, () => {
      const headers: MessageHeaders = {};
      propagation.inject(context.active(), headers);
      return send(headers);
    }),
  );
}

/** Runs `handle` inside a CONSUMER span whose parent is the context the publisher put in `headers`. */
export function withProcessSpan<T>(
  subject: string,
  consumer: string,
  headers: MessageHeaders,
  handle: () => Promise<T>,
): Promise<T> {
  const attributes = {
    'messaging.system': 'nats',
    'messaging.operation.type': 'process',
    'messaging.destination.name': subject,
    'messaging.consumer.group.name': consumer,
  };
  const parent = propagation.extract(ROOT_CONTEXT, headers);
  return tracer.startActiveSpan(
    `process ${subject}`,
    { kind: SpanKind.CONSUMER, attributes },
    parent,
    (span) => traced(span, handle),
  );
}

/** Runs `operation` inside the context that `headers` carry (for work that is not itself a message). */
export function withExtractedContext<T>(headers: MessageHeaders, operation: () => Promise<T>): Promise<T> {
  return context.with(propagation.extract(ROOT_CONTEXT, headers), operation);
}

async function traced<T>(span: Span, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
    throw error;
  } finally {
    span.end();
  }
}
