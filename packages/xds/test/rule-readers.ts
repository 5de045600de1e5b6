import { fromJson, type JsonObject } from '@bufbuild/protobuf';
import { reflect } from '@bufbuild/protobuf/reflect';
import { envoyRegistry } from '../src/envoy-registry';
import { RuleReader } from '../src/validation/rule-reader';

/** A rules message (e.g. `validate.StringRules`) written as proto JSON, as the checks read it. */
export function rulesOf(typeName: string, json: JsonObject): RuleReader {
  const schema = envoyRegistry().getMessage(typeName);
  if (!schema) throw new Error(`no ${typeName} in the registry`);
  return new RuleReader(reflect(schema, fromJson(schema, json, { registry: envoyRegistry() })));
}
