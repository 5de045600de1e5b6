import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { type ReadinessReport, runReadinessChecks } from './readiness';
import { HEALTH_OPTIONS, type HealthOptions } from './health.options';

@Controller()
export class HealthController {
  constructor(@Inject(HEALTH_OPTIONS) private readonly options: HealthOptions) {}

  /** Liveness: the process runs and is not shutting down. */
  @Get('healthz')
  liveness(@Res({ passthrough: true }) reply: FastifyReply): { status: 'ok' | 'shutting_down' } {
    if (this.options.telemetry.lifecycle.isShuttingDown) {
      void reply.status(503);
      return { status: 'shutting_down' };
    }
    return { status: 'ok' };
  }

  /** Readiness: every dependency answers. */
  @Get('readyz')
  async readiness(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessReport> {
    const report: ReadinessReport = this.options.telemetry.lifecycle.isShuttingDown
      ? { status: 'shutting_down', checks: {} }
      : await runReadinessChecks(this.options.checks, this.options.timeoutMs);
    void reply.status(report.status === 'ready' ? 200 : 503);
    return report;
  }

  @Get('metrics')
  async metrics(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const { registry } = this.options.telemetry.metrics;
    void reply.header('content-type', registry.contentType);
    return registry.metrics();
  }
}
