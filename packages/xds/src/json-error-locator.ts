import {
  type DescField,
  type DescMessage,
  fromJson,
  type JsonObject,
  type JsonValue,
  type Registry,
} from '@bufbuild/protobuf';
import { fieldPath, indexPath, keyPath } from './json-path';
import { type ResourceIssue } from './resource-issue';

/**
 * `fromJson` names the field it failed on but not where that field is. When it fails, this finds every
 * failing leaf by asking `fromJson` itself about ever smaller pieces of the input, following the JSON
 * alongside the descriptors (into `Any` through its `@type`). It runs only on invalid input, so valid
 * input pays nothing for it; the JSON mapping itself stays entirely `fromJson`'s.
 */
export function locateJsonErrors(
  schema: DescMessage,
  json: JsonValue,
  registry: Registry,
  rootError: unknown,
): ResourceIssue[] {
  const issues: ResourceIssue[] = [];
  new JsonErrorLocator(registry, issues).locateMessage(schema, json, '', describe(rootError));
  return issues;
}

/** Messages whose JSON is not an object of their fields (proto3 JSON mapping's special cases). */
const SPECIAL_JSON_TYPES = new Set([
  'google.protobuf.Duration',
  'google.protobuf.Timestamp',
  'google.protobuf.FieldMask',
  'google.protobuf.Struct',
  'google.protobuf.Value',
  'google.protobuf.ListValue',
  'google.protobuf.DoubleValue',
  'google.protobuf.FloatValue',
  'google.protobuf.Int64Value',
  'google.protobuf.UInt64Value',
  'google.protobuf.Int32Value',
  'google.protobuf.UInt32Value',
  'google.protobuf.BoolValue',
  'google.protobuf.StringValue',
  'google.protobuf.BytesValue',
]);

/** What a special type's JSON looks like, for messages about a value that is not it. */
const JSON_FORMS: Readonly<Record<string, string>> = {
  'google.protobuf.Duration': 'a duration string such as "5s" or "0.250s"',
  'google.protobuf.Timestamp': 'an RFC 3339 timestamp string',
  'google.protobuf.FieldMask': 'a comma-separated field mask string',
  'google.protobuf.Struct': 'a JSON object',
  'google.protobuf.ListValue': 'a JSON array',
};

const FIELD_ERROR = /^cannot decode field \S+ from JSON: (.*)$/s;
const ENUM_ERROR = /^cannot decode enum (\S+) from JSON: (.*)$/s;
const MESSAGE_ERROR = /^cannot decode message (\S+) from JSON:? (.*)$/s;

/** Rewords protobuf-es errors (`cannot decode field a.b.C.d from JSON: ...`) as the reason alone. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const field = FIELD_ERROR.exec(message);
  if (field) return field[1]!;
  const enumValue = ENUM_ERROR.exec(message);
  if (enumValue) return `unknown value ${enumValue[2]} for enum ${enumValue[1]}`;
  const messageValue = MESSAGE_ERROR.exec(message);
  if (messageValue) {
    const form = JSON_FORMS[messageValue[1]!];
    return form
      ? `expected ${form}, got ${messageValue[2]}`
      : `invalid ${messageValue[1]}: ${messageValue[2]}`;
  }
  return message;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function findField(schema: DescMessage, key: string): DescField | undefined {
  return schema.fields.find((field) => field.jsonName === key || field.name === key);
}

class JsonErrorLocator {
  constructor(
    private readonly registry: Registry,
    private readonly issues: ResourceIssue[],
  ) {}

  /** The reason `fromJson(schema, json)` fails, or undefined when it succeeds. */
  private failure(schema: DescMessage, json: JsonValue): string | undefined {
    try {
      fromJson(schema, json, { registry: this.registry });
      return undefined;
    } catch (error) {
      return describe(error);
    }
  }

  private report(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  /** Precondition: `fromJson(schema, json)` fails with `error`. */
  locateMessage(schema: DescMessage, json: JsonValue, path: string, error: string): void {
    if (schema.typeName === 'google.protobuf.Any') {
      this.locateAny(json, path, error);
      return;
    }
    if (SPECIAL_JSON_TYPES.has(schema.typeName)) {
      this.report(path, error);
      return;
    }
    if (!isJsonObject(json)) {
      this.report(path, `expected a JSON object (${schema.typeName}), got ${JSON.stringify(json)}`);
      return;
    }
    const before = this.issues.length;
    for (const [key, value] of Object.entries(json)) {
      const field = findField(schema, key);
      if (!field) {
        this.report(fieldPath(path, key), `unknown field "${key}" in ${schema.typeName}`);
        continue;
      }
      const fieldError = this.failure(schema, { [key]: value });
      if (fieldError !== undefined)
        this.locateField(schema, field, key, value, fieldPath(path, field.name), fieldError);
    }
    // Every key is fine alone but not together, e.g. two members of one oneof.
    if (this.issues.length === before) this.report(path, error);
  }

  private locateField(
    schema: DescMessage,
    field: DescField,
    key: string,
    value: JsonValue,
    path: string,
    error: string,
  ): void {
    const before = this.issues.length;
    if (field.fieldKind === 'message' && value !== null) {
      this.locateMessage(field.message, value, path, error);
    } else if (field.fieldKind === 'list' && Array.isArray(value)) {
      value.forEach((item, index) => {
        const itemError =
          field.listKind === 'message' && item !== null
            ? this.failure(field.message, item)
            : this.failure(schema, { [key]: [item] });
        if (itemError === undefined) return;
        if (field.listKind === 'message' && item !== null) {
          this.locateMessage(field.message, item, indexPath(path, index), itemError);
        } else {
          this.report(indexPath(path, index), itemError);
        }
      });
    } else if (field.fieldKind === 'map' && isJsonObject(value)) {
      for (const [mapKey, mapValue] of Object.entries(value)) {
        const entryError = this.failure(schema, { [key]: { [mapKey]: mapValue } });
        if (entryError === undefined) continue;
        const valueError =
          field.mapKind === 'message' && mapValue !== null
            ? this.failure(field.message, mapValue)
            : undefined;
        if (field.mapKind === 'message' && mapValue !== null && valueError !== undefined) {
          this.locateMessage(field.message, mapValue, keyPath(path, mapKey), valueError);
        } else {
          this.report(keyPath(path, mapKey), entryError);
        }
      }
    }
    if (this.issues.length === before) this.report(path, error);
  }

  /** An `Any` in JSON is its message's JSON plus `@type` (or `{"@type", "value"}` for special types). */
  private locateAny(json: JsonValue, path: string, error: string): void {
    const typeUrl = isJsonObject(json) ? json['@type'] : undefined;
    if (!isJsonObject(json) || typeof typeUrl !== 'string' || typeUrl === '') {
      this.report(path, error);
      return;
    }
    const schema = this.registry.getMessage(typeUrl.slice(typeUrl.lastIndexOf('/') + 1));
    if (!schema) {
      this.report(keyPath(path, '@type'), `unknown type "${typeUrl}": no such message in the Envoy API`);
      return;
    }
    const { '@type': _typeUrl, ...fields } = json;
    if (SPECIAL_JSON_TYPES.has(schema.typeName)) {
      const value = fields['value'] ?? null;
      this.locateMessage(schema, value, fieldPath(path, 'value'), this.failure(schema, value) ?? error);
      return;
    }
    const innerError = this.failure(schema, fields);
    if (innerError === undefined) {
      this.report(path, error);
    } else {
      this.locateMessage(schema, fields, path, innerError);
    }
  }
}
