/**
 * The TypeScript type of a JSONB column holding free-form JSON (resource bodies, documents,
 * payloads). Deliberately opaque rather than the domain's recursive `JsonObject`: TypeORM's
 * deep-partial types cannot expand a recursive type, and JSON read from a row is unvalidated input
 * until the caller parses it into a domain type. Any domain JSON value can be written to it.
 */
export type StoredJson = object;
