import { Writable } from 'node:stream';
import { trace } from '@opentelemetry/api';
import { createLogger } from '../logging/create-logger';
import { EnvError } from '../env/load-env';
import { startTelemetry } from './start-telemetry';

describe(startTelemetry.name, () => {
  it('rejects a collector endpoint that is not an http(s) URL', () => {
    expect(() =>
      startTelemetry({ serviceName: 'test', env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' } }),
    ).toThrow(EnvError);
  });

  it('starts once, creates real spans without an exporter, and their ids reach the logs', () => {
    const sut = startTelemetry({ serviceName: 'test', env: {} });
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    const logger = createLogger({ serviceName: 'test', level: 'info', destination });

    const spanContext = trace.getTracer('test').startActiveSpan('operation', (span) => {
      logger.info('inside a span');
      span.end();
      return span.spanContext();
    });

    expect(startTelemetry({ serviceName: 'other', env: {} })).toBe(sut);
    expect(spanContext.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(spanContext.traceId).not.toBe('0'.repeat(32));
    expect(JSON.parse(lines[0]!)).toMatchObject({ traceId: spanContext.traceId, spanId: spanContext.spanId });
  });
});
