import { Server, ServerCredentials, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { loadFileDescriptorSetFromBuffer, loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { loadManagementDescriptorSet } from '@envoy-fleet/proto';
import { ControlPlaneServiceService } from '@envoy-fleet/proto/management';
import type { Logger } from '@envoy-fleet/telemetry';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';

export interface ManagementGrpcConfig {
  readonly host: string;
  /** 0 picks a free port; `port` tells which once started. */
  readonly port: number;
  /** How long shutdown waits for calls in flight before it cancels them. */
  readonly shutdownGraceMs: number;
  readonly logger: Logger;
}

/** Names the health service reports on: '' is the server as a whole. */
const HEALTH_SERVICES = ['', 'envoyfleet.v1.ControlPlaneService'];

/**
 * The api's gRPC port: ControlPlaneService, the standard health service (grpc.health.v1) and server
 * reflection (v1 and v1alpha) describing both. Built by the bootstrap, which reports its address;
 * served and stopped with the app.
 */
export class ManagementGrpcServer {
  private readonly server = new Server();
  private readonly health = new HealthImplementation(
    Object.fromEntries(HEALTH_SERVICES.map((name) => [name, 'NOT_SERVING'])),
  );
  private boundPort: number | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly config: ManagementGrpcConfig) {}

  /** The port the server listens on (useful with GRPC_PORT=0). */
  get port(): number {
    if (this.boundPort === undefined) throw new Error('the management gRPC server is not started');
    return this.boundPort;
  }

  async serve(controlPlane: UntypedServiceImplementation): Promise<void> {
    this.server.addService(ControlPlaneServiceService, controlPlane);
    this.health.addToServer(this.server);
    const management = loadFileDescriptorSetFromBuffer(Buffer.from(loadManagementDescriptorSet()));
    new ReflectionService({ ...management, ...loadSync(healthProtoPath) }).addToServer(this.server);
    const { host, port } = this.config;
    this.boundPort = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (error, bound) =>
        error
          ? reject(new Error(`cannot listen for gRPC on ${host}:${port}: ${error.message}`))
          : resolve(bound),
      );
    });
    for (const name of HEALTH_SERVICES) this.health.setStatus(name, 'SERVING');
    this.config.logger.info({ port: this.boundPort }, 'management gRPC API listening');
  }

  /**
   * Reports NOT_SERVING, refuses new calls, and lets the calls in flight finish (`endStreams` ends the
   * open streams with OK) within the grace period; then cancels what is left.
   */
  stop(endStreams: () => void): Promise<void> {
    this.stopping ??= this.shutdown(endStreams);
    return this.stopping;
  }

  private async shutdown(endStreams: () => void): Promise<void> {
    for (const name of HEALTH_SERVICES) this.health.setStatus(name, 'NOT_SERVING');
    const drained = new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
    endStreams();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.config.shutdownGraceMs);
    });
    if ((await Promise.race([drained, deadline])) === 'timeout') {
      this.config.logger.warn('gRPC calls still running after the grace period: cancelling them');
      this.server.forceShutdown();
    }
    clearTimeout(timer);
    this.config.logger.info('management gRPC API stopped');
  }
}
