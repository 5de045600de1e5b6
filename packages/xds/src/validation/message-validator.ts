import { type DescField, isMessage, type Registry } from '@bufbuild/protobuf';
import {
  isReflectList,
  isReflectMap,
  isReflectMessage,
  reflect,
  type ReflectMessage,
} from '@bufbuild/protobuf/reflect';
import { AnySchema, anyUnpack, FeatureSet_FieldPresence } from '@bufbuild/protobuf/wkt';
import { fieldPath, indexPath, keyPath } from '../json-path';
import { type ResourceIssue } from '../resource-issue';
import { type ElementRules, type RuleCache } from './field-rules';
import { type Violation } from './rule-reader';

/**
 * Applies the validate.rules of every field of a decoded message, the way Envoy's generated validators
 * do before accepting a resource: it walks every set field once, lists and maps included, and follows
 * `Any` into the message it holds. It reports every violation with its JSON path (proto field names).
 */
export class MessageValidator {
  private readonly issues: ResourceIssue[] = [];

  constructor(
    private readonly rules: RuleCache,
    private readonly registry: Registry,
  ) {}

  static validate(message: ReflectMessage, rules: RuleCache, registry: Registry): ResourceIssue[] {
    const validator = new MessageValidator(rules, registry);
    validator.walkMessage(message, '');
    return validator.issues;
  }

  private report(path: string, violation: Violation): void {
    this.issues.push({ path, message: violation.message, rule: violation.rule });
  }

  private walkMessage(message: ReflectMessage, path: string): void {
    const { disabled, requiredOneofs } = this.rules.message(message.desc);
    if (disabled) return;
    for (const oneof of requiredOneofs) {
      if (!message.oneofCase(oneof)) {
        const members = oneof.fields.map((field) => field.name).join(', ');
        this.report(path, {
          rule: 'oneof.required',
          message: `one of ${members} is required (oneof ${oneof.name})`,
        });
      }
    }
    for (const field of message.fields) this.walkField(message, field, fieldPath(path, field.name));
  }

  private walkField(message: ReflectMessage, field: DescField, path: string): void {
    if (field.oneof && message.oneofCase(field.oneof) !== field) return;
    const validation = this.rules.field(field);
    switch (validation.kind) {
      case 'list': {
        const list = message.get(field);
        if (!isReflectList(list)) return;
        const sizeViolation = validation.size?.(list.size);
        if (sizeViolation) this.report(path, sizeViolation);
        if (validation.unique && !allUnique(list)) {
          this.report(path, { rule: 'repeated.unique', message: 'repeated value must contain unique items' });
        }
        let index = 0;
        for (const item of list) this.walkElement(item, validation.items, indexPath(path, index++));
        return;
      }
      case 'map': {
        const map = message.get(field);
        if (!isReflectMap(map)) return;
        const sizeViolation = validation.size?.(map.size);
        if (sizeViolation) this.report(path, sizeViolation);
        for (const [key, value] of map) {
          const entryPath = keyPath(path, String(key));
          const keyViolation = validation.keys?.(key);
          if (keyViolation) this.report(entryPath, keyViolation);
          this.walkElement(value, validation.values, entryPath);
        }
        return;
      }
      case 'single': {
        const { element } = validation;
        if (field.fieldKind === 'message') {
          if (message.isSet(field)) this.walkElement(message.get(field), element, path);
          else if (element.required) this.report(path, element.required);
          return;
        }
        // Scalars without presence are checked even when unset (an empty name breaks min_len).
        const checked = field.presence === FeatureSet_FieldPresence.IMPLICIT || message.isSet(field);
        if (element.check && checked) this.walkElement(message.get(field), element, path);
        return;
      }
    }
  }

  private walkElement(value: unknown, rules: ElementRules, path: string): void {
    const violation = rules.check?.(value);
    if (violation) this.report(path, violation);
    if (!rules.skip && isReflectMessage(value)) this.walkMessageValue(value, path);
  }

  private walkMessageValue(message: ReflectMessage, path: string): void {
    const { typeName } = message.desc;
    if (typeName === AnySchema.typeName) {
      this.walkAny(message, path);
    } else if (!typeName.startsWith('google.protobuf.')) {
      // Well-known types carry no rules; Struct metadata can be large, so it is not walked.
      this.walkMessage(message, path);
    }
  }

  private walkAny(message: ReflectMessage, path: string): void {
    const any = message.message;
    if (!isMessage(any, AnySchema) || any.typeUrl === '') return;
    let unpacked;
    try {
      unpacked = anyUnpack(any, this.registry);
    } catch (error) {
      this.issues.push({ path, message: `cannot decode ${any.typeUrl}: ${(error as Error).message}` });
      return;
    }
    const schema = unpacked && this.registry.getMessage(unpacked.$typeName);
    if (!unpacked || !schema) {
      this.issues.push({
        path: fieldPath(path, 'type_url'),
        message: `unknown type "${any.typeUrl}": no such message in the Envoy API`,
      });
      return;
    }
    this.walkMessageValue(reflect(schema, unpacked), path);
  }
}

/** Items compare by value; 64-bit integers (bigint) and bytes compare by their text. */
function allUnique(items: Iterable<unknown>): boolean {
  const seen = new Set<unknown>();
  for (const item of items) {
    const key =
      typeof item === 'bigint' || item instanceof Uint8Array ? `${typeof item}:${String(item)}` : item;
    if (seen.has(key)) return false;
    seen.add(key);
  }
  return true;
}
