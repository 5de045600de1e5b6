/**
 * Serving keys name what a group of proxies is served (`serving:<key>` → manifest hash); proxies point at
 * one (`proxy:<node id>` → key). Keys are tenant-scoped, `t:<tenant id>:<rest>`, so whoever resolves a proxy
 * to its key also learns its tenant.
 */
const SERVING_KEY = /^t:([^:]+):(.+)$/;

export function servingKeyOf(tenantId: string, rest: string): string {
  if (tenantId === '' || tenantId.includes(':')) {
    throw new Error(`a tenant id in a serving key must be non-empty and contain no ':', got "${tenantId}"`);
  }
  if (rest === '') throw new Error('the rest of a serving key must not be empty');
  return `t:${tenantId}:${rest}`;
}

/** The tenant a serving key belongs to, or undefined when the key is not of the form `t:<tenant>:<rest>`. */
export function tenantOfServingKey(servingKey: string): string | undefined {
  return SERVING_KEY.exec(servingKey)?.[1];
}
