import { isJsonObject, type JsonValue } from './json.value';

/**
 * RFC 7396 JSON Merge Patch: objects merge recursively, `null` removes a member, anything else
 * (arrays included) replaces the target's value. The target is not modified.
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
