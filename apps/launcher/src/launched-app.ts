import type { AppEndpoint } from '@envoy-fleet/telemetry';
import type { AppName } from './app-catalogue';

/** One app as the launcher reports it. */
export interface LaunchedApp {
  readonly name: AppName;
  /** Its HTTP server (REST where it has one, health, metrics). */
  readonly url: string;
  /** Its other listeners (the xDS endpoint, gRPC). */
  readonly endpoints: readonly AppEndpoint[];
}

/** The whole product, started. */
export interface LaunchedProduct {
  readonly description: string;
  readonly apps: readonly LaunchedApp[];
  close(): Promise<void>;
}
