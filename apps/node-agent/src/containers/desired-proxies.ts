import type { ProxyContainerSpec } from '@envoy-fleet/domain';

export interface DesiredProxy {
  readonly spec: ProxyContainerSpec;
  readonly running: boolean;
}

/**
 * What the control plane asked this node to run, as the agent learnt it from commands, or from the
 * containers' labels after a restart. Reconciliation recreates desired proxies whose container is gone.
 */
export class DesiredProxies {
  private readonly proxies = new Map<string, DesiredProxy>();

  get(proxyId: string): DesiredProxy | undefined {
    return this.proxies.get(proxyId);
  }

  set(proxy: DesiredProxy): void {
    this.proxies.set(proxy.spec.proxyId, proxy);
  }

  /** Records that the proxy should run (or not), when its spec is known. */
  setRunning(proxyId: string, running: boolean): void {
    const proxy = this.proxies.get(proxyId);
    if (proxy !== undefined) this.proxies.set(proxyId, { ...proxy, running });
  }

  /** Adds a proxy learnt from a container; what a command said first wins. */
  learn(proxy: DesiredProxy): void {
    if (!this.proxies.has(proxy.spec.proxyId)) this.proxies.set(proxy.spec.proxyId, proxy);
  }

  delete(proxyId: string): void {
    this.proxies.delete(proxyId);
  }

  all(): DesiredProxy[] {
    return [...this.proxies.values()];
  }
}
