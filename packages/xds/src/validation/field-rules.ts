import {
  type DescEnum,
  type DescField,
  type DescMessage,
  type DescOneof,
  getOption,
  hasOption,
  isMessage,
  type ScalarType,
} from '@bufbuild/protobuf';
import { isReflectMessage, reflect } from '@bufbuild/protobuf/reflect';
import { isWrapperDesc } from '@bufbuild/protobuf/wkt';
import { type ValidateExtensions } from '../envoy-registry';
import { anyCheck, durationCheck, timestampCheck } from './message-value-rules';
import { RuleReader, type ValueCheck, type Violation } from './rule-reader';
import {
  boolCheck,
  bytesCheck,
  enumCheck,
  NUMERIC_RULE_TYPES,
  numericCheck,
  stringCheck,
} from './scalar-rules';

/** The rules for one value: a singular field's value, a list item or a map value. */
export interface ElementRules {
  /** Reported when a message-typed value is unset. */
  readonly required: Violation | undefined;
  /** Do not validate inside the message (`message.skip`). */
  readonly skip: boolean;
  readonly check: ValueCheck | undefined;
}

export type FieldValidation =
  | { readonly kind: 'single'; readonly element: ElementRules }
  | {
      readonly kind: 'list';
      readonly size: ((size: number) => Violation | undefined) | undefined;
      readonly unique: boolean;
      readonly items: ElementRules;
    }
  | {
      readonly kind: 'map';
      readonly size: ((size: number) => Violation | undefined) | undefined;
      readonly keys: ValueCheck | undefined;
      readonly values: ElementRules;
    };

type ElementType =
  | { readonly kind: 'scalar'; readonly scalar: ScalarType }
  | { readonly kind: 'enum'; readonly schema: DescEnum }
  | { readonly kind: 'message'; readonly schema: DescMessage };

const NO_RULES: ElementRules = { required: undefined, skip: false, check: undefined };

const nowNanos = (): bigint => BigInt(Date.now()) * 1_000_000n;

/** A wrapper's rules apply to its `value` (e.g. `uint32` rules on a google.protobuf.UInt32Value). */
function unwrapping(check: ValueCheck): ValueCheck {
  return (value) => {
    if (!isReflectMessage(value)) return undefined;
    const field = value.desc.fields[0];
    return field ? check(value.get(field)) : undefined;
  };
}

function typeCheck(rules: RuleReader, element: ElementType): ValueCheck | undefined {
  const typed = rules.oneofMessage('type');
  if (!typed) return undefined;
  const { name, rules: typeRules } = typed;
  if (element.kind === 'message') {
    if (name === 'duration') return durationCheck(typeRules);
    if (name === 'timestamp') return timestampCheck(typeRules, nowNanos);
    if (name === 'any') return anyCheck(typeRules);
    if (!isWrapperDesc(element.schema)) return undefined;
  }
  const check = scalarCheck(name, typeRules, element);
  return check && element.kind === 'message' ? unwrapping(check) : check;
}

function scalarCheck(name: string, rules: RuleReader, element: ElementType): ValueCheck | undefined {
  if (NUMERIC_RULE_TYPES.has(name)) return numericCheck(name, rules);
  switch (name) {
    case 'string':
      return stringCheck(rules);
    case 'bytes':
      return bytesCheck(rules);
    case 'bool':
      return boolCheck(rules);
    case 'enum':
      return element.kind === 'enum' ? enumCheck(rules, element.schema) : undefined;
    default:
      return undefined;
  }
}

const REQUIRED_BY: readonly string[] = ['duration', 'timestamp', 'any'];

function elementRules(rules: RuleReader | undefined, element: ElementType): ElementRules {
  if (!rules) return NO_RULES;
  const messageRules = rules.message('message');
  const typed = rules.oneofMessage('type');
  const required =
    element.kind === 'message' &&
    (messageRules?.flag('required') === true ||
      (typed !== undefined && REQUIRED_BY.includes(typed.name) && typed.rules.flag('required')));
  return {
    required: required
      ? {
          rule: `${typed && REQUIRED_BY.includes(typed.name) ? typed.name : 'message'}.required`,
          message: 'value is required',
        }
      : undefined,
    skip: messageRules?.flag('skip') === true,
    check: typeCheck(rules, element),
  };
}

function countCheck(
  rules: RuleReader,
  type: 'repeated' | 'map',
  [minName, maxName]: readonly [string, string],
  noun: string,
): ((size: number) => Violation | undefined) | undefined {
  const min = rules.count(minName);
  const max = rules.count(maxName);
  if (min === undefined && max === undefined) return undefined;
  return (size) => {
    if (min !== undefined && size < min)
      return { rule: `${type}.${minName}`, message: `value must contain at least ${min} ${noun}(s)` };
    if (max !== undefined && size > max)
      return { rule: `${type}.${maxName}`, message: `value must contain no more than ${max} ${noun}(s)` };
    return undefined;
  };
}

function elementTypeOf(field: DescField): ElementType {
  switch (field.fieldKind) {
    case 'scalar':
      return { kind: 'scalar', scalar: field.scalar };
    case 'enum':
      return { kind: 'enum', schema: field.enum };
    case 'message':
      return { kind: 'message', schema: field.message };
    case 'list':
      if (field.listKind === 'scalar') return { kind: 'scalar', scalar: field.scalar };
      return field.listKind === 'enum'
        ? { kind: 'enum', schema: field.enum }
        : { kind: 'message', schema: field.message };
    case 'map':
      if (field.mapKind === 'scalar') return { kind: 'scalar', scalar: field.scalar };
      return field.mapKind === 'enum'
        ? { kind: 'enum', schema: field.enum }
        : { kind: 'message', schema: field.message };
  }
}

function compileField(field: DescField, extensions: ValidateExtensions): FieldValidation {
  const rules = hasOption(field, extensions.rules)
    ? readRules(getOption(field, extensions.rules), extensions)
    : undefined;
  const element = elementTypeOf(field);
  if (field.fieldKind === 'list') {
    const repeated = rules?.oneofMessage('type')?.name === 'repeated' ? rules.message('repeated') : undefined;
    const items = elementRules(repeated?.message('items'), element);
    return {
      kind: 'list',
      size: repeated && countCheck(repeated, 'repeated', ['min_items', 'max_items'], 'item'),
      unique: repeated?.flag('unique') === true,
      items: rules?.message('message')?.flag('skip') ? { ...items, skip: true } : items,
    };
  }
  if (field.fieldKind === 'map') {
    const map = rules?.oneofMessage('type')?.name === 'map' ? rules.message('map') : undefined;
    const keys = map?.message('keys');
    return {
      kind: 'map',
      size: map && countCheck(map, 'map', ['min_pairs', 'max_pairs'], 'pair'),
      keys: keys && typeCheck(keys, { kind: 'scalar', scalar: field.mapKey }),
      values: elementRules(map?.message('values'), element),
    };
  }
  return { kind: 'single', element: elementRules(rules, element) };
}

function readRules(value: unknown, extensions: ValidateExtensions): RuleReader | undefined {
  const schema = extensions.rules.message;
  return schema && isMessage(value, schema) ? new RuleReader(reflect(schema, value)) : undefined;
}

/** Message-level options: `validate.disabled` and the oneofs marked `validate.required`. */
export interface MessageValidation {
  readonly disabled: boolean;
  readonly requiredOneofs: readonly DescOneof[];
}

/** Compiles each descriptor's rules once; afterwards validation only runs the compiled checks. */
export class RuleCache {
  private readonly fields = new Map<DescField, FieldValidation>();
  private readonly messages = new Map<DescMessage, MessageValidation>();

  constructor(private readonly extensions: ValidateExtensions) {}

  field(field: DescField): FieldValidation {
    let compiled = this.fields.get(field);
    if (!compiled) {
      compiled = compileField(field, this.extensions);
      this.fields.set(field, compiled);
    }
    return compiled;
  }

  message(schema: DescMessage): MessageValidation {
    let compiled = this.messages.get(schema);
    if (!compiled) {
      const { disabled, required } = this.extensions;
      compiled = {
        disabled: hasOption(schema, disabled) && getOption(schema, disabled) === true,
        requiredOneofs: schema.oneofs.filter(
          (oneof) => hasOption(oneof, required) && getOption(oneof, required) === true,
        ),
      };
      this.messages.set(schema, compiled);
    }
    return compiled;
  }
}
