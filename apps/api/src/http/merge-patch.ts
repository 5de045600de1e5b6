import { DomainError, isJsonObject, type JsonObject, type JsonValue } from '@envoy-fleet/domain';

/**
 * RFC 7396 JSON Merge Patch: objects merge recursively, `null` removes a member, anything else
 * (arrays included) replaces the target's value.
 */
export function applyMergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return patch;
  const result: Record<string, JsonValue> = isJsonObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/** A merge patch of a resource must be an object: patching it into a scalar would replace it whole. */
export function mergePatchObject(target: JsonObject, patch: unknown): JsonObject {
  if (!isJsonObject(patch)) {
    throw new DomainError('INVALID_REQUEST', 'a merge patch (RFC 7396) of a resource must be a JSON object', {
      issues: [{ path: '', message: 'must be an object' }],
    });
  }
  return applyMergePatch(target, patch) as JsonObject;
}
