import {
  type DescMessage,
  fromBinary,
  fromJson,
  type JsonObject,
  type JsonValue,
  type Message,
  toBinary,
  toJson,
} from '@bufbuild/protobuf';
import { reflect } from '@bufbuild/protobuf/reflect';
import { envoyRegistry, validateExtensions } from './envoy-registry';
import { isJsonObject, locateJsonErrors } from './json-error-locator';
import { type ResourceIssue, ResourceValidationError } from './resource-issue';
import { kindOf, messageTypeOf, nameFieldOf, type ResourceType, toTypeUrl } from './type-urls';

/** What the codec functions accept: a resource kind or a type URL (defined with the type URLs). */
export type { ResourceType };
import { RuleCache } from './validation/field-rules';
import { MessageValidator } from './validation/message-validator';

export interface ParsedResource {
  readonly ok: true;
  readonly typeUrl: string;
  /** The resource's name (`cluster_name` for endpoints); '' for types that are not xDS resources. */
  readonly name: string;
  /** The protobuf encoding Envoy receives inside the DiscoveryResponse's `Any`. */
  readonly bytes: Uint8Array;
  readonly message: Message;
}

export interface RejectedResource {
  readonly ok: false;
  readonly typeUrl: string;
  readonly issues: readonly ResourceIssue[];
}

export type ParseResult = ParsedResource | RejectedResource;

let ruleCache: RuleCache | undefined;

function rules(): RuleCache {
  ruleCache ??= new RuleCache(validateExtensions());
  return ruleCache;
}

function schemaOf(type: ResourceType): { typeUrl: string; schema: DescMessage } {
  const typeUrl = toTypeUrl(type);
  const schema = envoyRegistry().getMessage(messageTypeOf(typeUrl));
  if (!schema) throw new Error(`unknown resource type "${type}": no such message in the pinned Envoy API`);
  return { typeUrl, schema };
}

/** The proto3 JSON mapping, by @bufbuild/protobuf; failures located to their JSON path. */
function messageFromJson(
  schema: DescMessage,
  json: unknown,
): { message: Message } | { issues: ResourceIssue[] } {
  if (!isJsonObject(json)) return { issues: [{ path: '', message: 'a resource must be a JSON object' }] };
  const registry = envoyRegistry();
  try {
    return { message: fromJson(schema, json, { registry }) };
  } catch (error) {
    return { issues: locateJsonErrors(schema, json, registry, error) };
  }
}

function nameOf(typeUrl: string, schema: DescMessage, message: Message): string {
  const kind = kindOf(typeUrl);
  const field = kind && schema.fields.find((f) => f.name === nameFieldOf(kind));
  const name = field ? reflect(schema, message).get(field) : undefined;
  return typeof name === 'string' ? name : '';
}

/** Runs the validate.rules of a decoded message (and of every message its `Any` fields hold). */
export function validateMessage(type: ResourceType, message: Message): ResourceIssue[] {
  const { schema } = schemaOf(type);
  return MessageValidator.validate(reflect(schema, message), rules(), envoyRegistry());
}

function accept(typeUrl: string, schema: DescMessage, message: Message, bytes?: Uint8Array): ParseResult {
  const issues = MessageValidator.validate(reflect(schema, message), rules(), envoyRegistry());
  if (issues.length > 0) return { ok: false, typeUrl, issues };
  return {
    ok: true,
    typeUrl,
    name: nameOf(typeUrl, schema, message),
    bytes: bytes ?? toBinary(schema, message),
    message,
  };
}

/**
 * Decodes proto3 JSON (snake_case or lowerCamelCase, `Any` with `@type`, durations as strings, enums by
 * name, wrappers as plain values) and applies the validate.rules the Envoy API declares: what a user
 * writes is accepted only if Envoy would accept it.
 */
export function parseResource(type: ResourceType, json: unknown): ParseResult {
  const { typeUrl, schema } = schemaOf(type);
  const decoded = messageFromJson(schema, json);
  if ('issues' in decoded) return { ok: false, typeUrl, issues: decoded.issues };
  return accept(typeUrl, schema, decoded.message);
}

/** The same for protobuf bytes, e.g. a resource received in a DiscoveryResponse. */
export function parseResourceBytes(type: ResourceType, bytes: Uint8Array): ParseResult {
  const { typeUrl, schema } = schemaOf(type);
  let message: Message;
  try {
    message = fromBinary(schema, bytes);
  } catch (error) {
    return {
      ok: false,
      typeUrl,
      issues: [{ path: '', message: `invalid protobuf: ${(error as Error).message}` }],
    };
  }
  return accept(typeUrl, schema, message, bytes);
}

/** JSON to the exact protobuf bytes Envoy expects, without validate.rules; throws ResourceValidationError. */
export function encodeResource(type: ResourceType, json: unknown): Uint8Array {
  const { typeUrl, schema } = schemaOf(type);
  const decoded = messageFromJson(schema, json);
  if ('issues' in decoded) throw new ResourceValidationError(typeUrl, decoded.issues);
  return toBinary(schema, decoded.message);
}

/**
 * Protobuf bytes to canonical proto3 JSON with proto (snake_case) field names: the form of Envoy's
 * documentation, YAML and `/config_dump`, and of the paths in validation issues, so what the product
 * stores and shows reads like Envoy. Default values are omitted, as proto3 JSON does.
 */
export function decodeResource(type: ResourceType, bytes: Uint8Array): JsonObject {
  const { typeUrl, schema } = schemaOf(type);
  let json: JsonValue;
  try {
    json = toJson(schema, fromBinary(schema, bytes), { registry: envoyRegistry(), useProtoFieldName: true });
  } catch (error) {
    throw new ResourceValidationError(typeUrl, [
      { path: '', message: `invalid protobuf: ${(error as Error).message}` },
    ]);
  }
  if (!isJsonObject(json)) throw new Error(`${typeUrl} does not map to a JSON object`);
  return json;
}
