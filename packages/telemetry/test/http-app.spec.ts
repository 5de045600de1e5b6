import { Writable } from 'node:stream';
import { Body, Controller, type DynamicModule, Get, Inject, Module, Post } from '@nestjs/common';
import { HealthModule } from '../src/health/health.module';
import type { ReadinessCheck } from '../src/health/readiness';
import { startHttpApp } from '../src/http/start-http-app';
import { createServiceTelemetry, type ServiceTelemetry } from '../src/service-telemetry';
import type { RunningApp } from '../src/shutdown/running-app';

const GATE = Symbol('GATE');

/** Lets a test hold a request in flight until it opens the gate. */
class Gate {
  entered!: Promise<void>;
  private enter!: () => void;
  private opened!: Promise<void>;
  open!: () => void;

  constructor() {
    this.entered = new Promise((resolve) => (this.enter = resolve));
    this.opened = new Promise((resolve) => (this.open = resolve));
  }

  async pass(): Promise<void> {
    this.enter();
    await this.opened;
  }
}

@Controller()
class WorkController {
  constructor(
    @Inject(GATE) private readonly gate: Gate,
    @Inject('LOGGER') private readonly telemetry: ServiceTelemetry,
  ) {}

  @Post('echo')
  async echo(@Body() body: { word: string }): Promise<{ word: string }> {
    await new Promise((resolve) => setImmediate(resolve));
    this.telemetry.logger.info('echoing');
    return body;
  }

  @Get('slow')
  async slow(): Promise<{ done: true }> {
    await this.gate.pass();
    return { done: true };
  }
}

function logCapture(): { lines: () => Record<string, unknown>[]; destination: Writable } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return {
    destination,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

interface TestApp {
  readonly app: RunningApp;
  readonly telemetry: ServiceTelemetry;
  readonly logs: () => Record<string, unknown>[];
  readonly gate: Gate;
  readonly closed: string[];
}

async function startTestApp(checks: readonly ReadinessCheck[]): Promise<TestApp> {
  const { lines, destination } = logCapture();
  const telemetry = createServiceTelemetry({
    serviceName: 'test-app',
    logLevel: 'info',
    logDestination: destination,
  });
  const gate = new Gate();
  const closed: string[] = [];
  const app = await startHttpApp({
    telemetry,
    host: '127.0.0.1',
    port: 0,
    shutdownTimeoutMs: 5000,
    compose: async (resources): Promise<DynamicModule> => {
      for (const name of ['first', 'second']) {
        await resources.open(
          name,
          () => Promise.resolve(name),
          () => {
            closed.push(name);
            return Promise.resolve();
          },
        );
      }
      @Module({
        imports: [HealthModule.forRoot({ telemetry, checks, timeoutMs: 1000 })],
        controllers: [WorkController],
        providers: [
          { provide: GATE, useValue: gate },
          { provide: 'LOGGER', useValue: telemetry },
        ],
      })
      class TestModule {}
      return { module: TestModule };
    },
  });
  return { app, telemetry, logs: lines, gate, closed };
}

describe('an app started with startHttpApp and HealthModule', () => {
  let dependencyUp = true;
  const dependency: ReadinessCheck = {
    name: 'dependency',
    check: () => (dependencyUp ? Promise.resolve() : Promise.reject(new Error('connection refused'))),
  };
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp([dependency, { name: 'always', check: () => Promise.resolve() }]);
  });

  afterAll(async () => {
    await sut.app.close();
  });

  it('answers /healthz while running', async () => {
    const response = await fetch(`${sut.app.url}/healthz`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz 200 with every check when all pass', async () => {
    dependencyUp = true;
    const response = await fetch(`${sut.app.url}/readyz`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ready',
      checks: { dependency: { status: 'up' }, always: { status: 'up' } },
    });
  });

  it('answers /readyz 503 naming the failed check and why', async () => {
    dependencyUp = false;
    const response = await fetch(`${sut.app.url}/readyz`);

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      status: 'not_ready',
      checks: { dependency: { status: 'down', error: 'connection refused' }, always: { status: 'up' } },
    });
  });

  it('serves Prometheus metrics: default ones and requests by route, method and status', async () => {
    await fetch(`${sut.app.url}/healthz`);
    await fetch(`${sut.app.url}/no/such/path`);
    const response = await fetch(`${sut.app.url}/metrics`);
    const text = await response.text();

    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text).toMatch(/^process_cpu_user_seconds_total\{service="test-app"\} /m);
    expect(text).toMatch(
      /^http_requests_total\{route="\/healthz",method="GET",status="200",service="test-app"\} \d+/m,
    );
    expect(text).toMatch(
      /^http_requests_total\{route="unmatched",method="GET",status="404",service="test-app"\} 1/m,
    );
    expect(text).toMatch(
      /^http_request_duration_seconds_bucket\{le="\+Inf",service="test-app",route="\/healthz",method="GET",status="200"\} \d+/m,
    );
  });

  it("keeps the caller's request id through body parsing, echoes it, and logs it on every line", async () => {
    const response = await fetch(`${sut.app.url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-123' },
      body: JSON.stringify({ word: 'hello' }),
    });

    expect(response.status).toBe(201);
    expect(response.headers.get('x-request-id')).toBe('req-123');
    const lines = sut.logs().filter((line) => line.correlationId === 'req-123');
    expect(lines).toEqual([
      expect.objectContaining({
        service: 'test-app',
        level: 'info',
        msg: 'echoing',
        time: expect.any(String),
      }),
      expect.objectContaining({
        service: 'test-app',
        level: 'info',
        msg: 'request completed',
        method: 'POST',
        route: '/echo',
        status: 201,
      }),
    ]);
  });

  it('generates a request id when the caller sends none', async () => {
    const response = await fetch(`${sut.app.url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ word: 'hi' }),
    });

    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("writes Nest's own logs as JSON and keeps probe requests out of the info-level log", () => {
    const lines = sut.logs();

    expect(lines).toContainEqual(expect.objectContaining({ context: 'NestApplication', level: 'info' }));
    expect(lines.filter((line) => line.msg === 'request completed').map((line) => line.route)).not.toContain(
      '/healthz',
    );
  });
});

describe('shutting down an app started with startHttpApp', () => {
  it('stops being ready, finishes the request in flight, then closes its resources newest first', async () => {
    const sut = await startTestApp([]);
    const slow = fetch(`${sut.app.url}/slow`);
    await sut.gate.entered;

    const closing = sut.app.close();
    expect(sut.telemetry.lifecycle.isShuttingDown).toBe(true);
    sut.gate.open();
    const response = await slow;
    await closing;

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ done: true });
    expect(sut.closed).toEqual(['second', 'first']);
    await expect(fetch(`${sut.app.url}/healthz`)).rejects.toThrow();
  });

  it('answers 503 on /healthz and /readyz once shutdown has begun', async () => {
    const sut = await startTestApp([]);
    sut.telemetry.lifecycle.beginShutdown();

    const [liveness, readiness] = await Promise.all([
      fetch(`${sut.app.url}/healthz`),
      fetch(`${sut.app.url}/readyz`),
    ]);
    await sut.app.close();

    expect([liveness.status, await liveness.json()]).toEqual([503, { status: 'shutting_down' }]);
    expect([readiness.status, await readiness.json()]).toEqual([
      503,
      { status: 'shutting_down', checks: {} },
    ]);
  });

  it('closes what it opened when start-up fails', async () => {
    const closed: string[] = [];
    const telemetry = createServiceTelemetry({ serviceName: 'broken', logLevel: 'fatal' });

    const starting = startHttpApp({
      telemetry,
      host: '127.0.0.1',
      port: 0,
      shutdownTimeoutMs: 1000,
      compose: async (resources) => {
        await resources.open(
          'database',
          () => Promise.resolve('db'),
          () => {
            closed.push('database');
            return Promise.resolve();
          },
        );
        throw new Error('event bus unreachable');
      },
    });

    await expect(starting).rejects.toThrow('event bus unreachable');
    expect(closed).toEqual(['database']);
  });
});
