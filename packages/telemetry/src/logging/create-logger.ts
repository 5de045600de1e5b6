import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../env/env-variables';
import { currentCorrelationId } from './request-context';

export type { Logger } from 'pino';

export interface LoggerOptions {
  readonly serviceName: string;
  readonly level: LogLevel;
  /** Where the JSON lines go; stdout when omitted. */
  readonly destination?: DestinationStream;
}

/**
 * A JSON-lines logger: every line carries `service`, `level` (by name), `time` (ISO 8601) and `msg`, plus
 * `correlationId` inside a request or another correlated unit of work, and `traceId`/`spanId` while a span
 * is active.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.serviceName },
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: correlationFields,
    },
    // Synchronous writes: the last lines before `process.exit` must not be lost.
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

function correlationFields(): Record<string, string> {
  const fields: Record<string, string> = {};
  const correlationId = currentCorrelationId();
  if (correlationId !== undefined) fields.correlationId = correlationId;
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (spanContext !== undefined && isSpanContextValid(spanContext)) {
    fields.traceId = spanContext.traceId;
    fields.spanId = spanContext.spanId;
  }
  return fields;
}
