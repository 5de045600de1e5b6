import { type DescField } from '@bufbuild/protobuf';
import { isReflectList, isReflectMessage, type ReflectMessage } from '@bufbuild/protobuf/reflect';

/** A failed constraint: what to tell the user and which rule said so (e.g. `uint32.lte`). */
export interface Violation {
  readonly message: string;
  readonly rule: string;
}

/** Checks one value (a scalar, an enum number or a ReflectMessage); undefined when it passes. */
export type ValueCheck = (value: unknown) => Violation | undefined;

/**
 * Reads a protoc-gen-validate rules message (validate.FieldRules, validate.StringRules, ...) by proto
 * field name. These messages are proto2: an unset field still reads as its default, so every accessor
 * checks presence first.
 */
export class RuleReader {
  constructor(private readonly rules: ReflectMessage) {}

  private field(name: string): DescField {
    const field = this.rules.desc.fields.find((f) => f.name === name);
    if (!field) throw new Error(`${this.rules.desc.typeName} has no field ${name}`);
    return field;
  }

  /** The value if set: a scalar, or a ReflectMessage for message fields. */
  value(name: string): unknown {
    const field = this.field(name);
    return this.rules.isSet(field) ? this.rules.get(field) : undefined;
  }

  /** The value, or the field's declared default when unset (e.g. StringRules.strict defaults to true). */
  valueOrDefault(name: string): unknown {
    return this.rules.get(this.field(name));
  }

  flag(name: string): boolean {
    return this.value(name) === true;
  }

  string(name: string): string | undefined {
    const value = this.value(name);
    return typeof value === 'string' ? value : undefined;
  }

  /** A numeric rule value; 64-bit rules read as bigint. */
  number(name: string): number | bigint | undefined {
    const value = this.value(name);
    return typeof value === 'number' || typeof value === 'bigint' ? value : undefined;
  }

  /** A length-like uint64 rule as a number (lengths never approach 2^53). */
  count(name: string): number | undefined {
    const value = this.number(name);
    return value === undefined ? undefined : Number(value);
  }

  bytes(name: string): Uint8Array | undefined {
    const value = this.value(name);
    return value instanceof Uint8Array ? value : undefined;
  }

  list(name: string): unknown[] {
    const value = this.rules.get(this.field(name));
    return isReflectList(value) ? [...value] : [];
  }

  message(name: string): RuleReader | undefined {
    const value = this.messageValue(name);
    return value ? new RuleReader(value) : undefined;
  }

  /** A set message-typed rule value itself, e.g. the Duration of DurationRules.lt. */
  messageValue(name: string): ReflectMessage | undefined {
    const value = this.value(name);
    return isReflectMessage(value) ? value : undefined;
  }

  /** The message held by a set member of a message's oneof, with the member's name. */
  oneofMessage(oneofName: string): { readonly name: string; readonly rules: RuleReader } | undefined {
    const member = this.oneofMember(oneofName);
    const value = member ? this.rules.get(member) : undefined;
    return member && isReflectMessage(value)
      ? { name: member.name, rules: new RuleReader(value) }
      : undefined;
  }

  /** The set member of a oneof and its value. */
  oneofValue(oneofName: string): { readonly name: string; readonly value: unknown } | undefined {
    const member = this.oneofMember(oneofName);
    return member ? { name: member.name, value: this.rules.get(member) } : undefined;
  }

  private oneofMember(oneofName: string): DescField | undefined {
    const oneof = this.rules.desc.oneofs.find((o) => o.name === oneofName);
    return oneof ? this.rules.oneofCase(oneof) : undefined;
  }
}
