import { applyMergePatch, DomainError, isJsonObject, type JsonObject } from '@envoy-fleet/domain';

/** A merge patch of a resource must be an object: patching it into a scalar would replace it whole. */
export function mergePatchObject(target: JsonObject, patch: unknown): JsonObject {
  if (!isJsonObject(patch)) {
    throw new DomainError('INVALID_REQUEST', 'a merge patch (RFC 7396) of a resource must be a JSON object', {
      issues: [{ path: '', message: 'must be an object' }],
    });
  }
  return applyMergePatch(target, patch) as JsonObject;
}
