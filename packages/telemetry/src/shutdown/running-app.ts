/** Something an app serves besides its HTTP server, such as the xDS gRPC endpoint. */
export interface AppEndpoint {
  /** What it is, e.g. `xDS (ADS over gRPC)`. */
  readonly label: string;
  /** Where it listens, e.g. `127.0.0.1:18000`. */
  readonly address: string;
}

/** What an app's `bootstrap()` returns: where it listens, and how to stop it gracefully. */
export interface RunningApp {
  /** Its HTTP server: REST where it has one, health and metrics. */
  readonly url: string;
  /** Its other listeners, which the launcher prints next to the URL. */
  readonly endpoints?: readonly AppEndpoint[];
  close(): Promise<void>;
}
