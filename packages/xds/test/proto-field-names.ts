/**
 * Renames lowerCamelCase keys to proto field names, everywhere but `@type`: what the codec's output
 * must look like for the fixtures. Safe for them because Envoy field names and the fixtures' map keys
 * have no capitals.
 */
export function toProtoFieldNames(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toProtoFieldNames);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key === '@type' ? key : key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`),
      toProtoFieldNames(inner),
    ]),
  );
}
