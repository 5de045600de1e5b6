import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ServiceTelemetry } from '../service-telemetry';
import { OwnedResources } from '../shutdown/owned-resources';
import type { RunningApp } from '../shutdown/running-app';
import { instrumentFastify } from './instrument-fastify';
import { reachableHost } from './reachable-host';

export interface HttpAppOptions {
  readonly telemetry: ServiceTelemetry;
  readonly host: string;
  /** 0 picks a free port; `RunningApp.url` tells which. */
  readonly port: number;
  /** How long shutdown waits for in-flight requests before closing their connections. */
  readonly shutdownTimeoutMs: number;
  /** Opens what the app needs, registering in `resources` what it owns, and returns its root module. */
  readonly compose: (resources: OwnedResources) => Promise<DynamicModule>;
}

/**
 * Starts a Nest app on Fastify with telemetry: JSON logs (Nest's too), correlation ids, HTTP metrics, and a
 * `close()` that shuts down in order: not ready, no new connections, in-flight requests drained within
 * the deadline, then the app's own resources in reverse order of opening. When start-up fails, whatever
 * was opened is closed before the error is rethrown.
 */
export async function startHttpApp(options: HttpAppOptions): Promise<RunningApp> {
  const { telemetry } = options;
  const resources = new OwnedResources();
  let app: NestFastifyApplication | undefined;
  try {
    const module = await options.compose(resources);
    app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), {
      logger: telemetry.nestLogger,
      abortOnError: false,
    });
    instrumentFastify(app.getHttpAdapter().getInstance(), telemetry);
    await app.listen(options.port, options.host);
  } catch (error) {
    await app?.close();
    await resources.closeAll(telemetry.logger);
    throw error;
  }
  const url = urlOf(app.getHttpServer());
  telemetry.logger.info({ url }, `${telemetry.serviceName} listening on ${url}`);

  const started = app;
  let stopping: Promise<void> | undefined;
  return {
    url,
    close: () => (stopping ??= stop(started, resources, options)),
  };
}

async function stop(
  app: NestFastifyApplication,
  resources: OwnedResources,
  options: HttpAppOptions,
): Promise<void> {
  const { lifecycle, logger } = options.telemetry;
  lifecycle.beginShutdown();
  logger.info('shutting down: not ready, draining in-flight requests');
  const server = app.getHttpServer();
  const deadline = setTimeout(() => {
    logger.warn(`requests still running after ${options.shutdownTimeoutMs} ms: closing their connections`);
    server.closeAllConnections();
  }, options.shutdownTimeoutMs);
  try {
    await app.close();
  } finally {
    clearTimeout(deadline);
  }
  await resources.closeAll(logger);
  logger.info('stopped');
}

/** A URL a client on this machine can use: a wildcard bind address is reached through the loopback. */
function urlOf(server: Server): string {
  const { address, port, family } = server.address() as AddressInfo;
  const host = reachableHost(address);
  return family === 'IPv6' && host !== '127.0.0.1' ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}
