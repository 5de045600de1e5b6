import { createFileRegistry, type DescExtension, type FileRegistry, fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { loadEnvoyDescriptorSet } from '@envoy-fleet/proto';

/** The protoc-gen-validate options the Envoy protos carry (field number 1071 on each options message). */
export interface ValidateExtensions {
  /** `(validate.rules)` on FieldOptions: a validate.FieldRules message. */
  readonly rules: DescExtension;
  /** `(validate.required)` on OneofOptions: exactly one member must be set. */
  readonly required: DescExtension;
  /** `(validate.disabled)` on MessageOptions: no rule applies inside the message. */
  readonly disabled: DescExtension;
}

interface EnvoyTypes {
  readonly registry: FileRegistry;
  readonly validate: ValidateExtensions;
}

let types: EnvoyTypes | undefined;

function extension(registry: FileRegistry, name: string): DescExtension {
  const found = registry.getExtension(name);
  if (!found) throw new Error(`the Envoy descriptor set lacks the extension ${name}`);
  return found;
}

/** Builds the registry once, on first use (about 0.2 s: it parses ~450 files of descriptors). */
function envoyTypes(): EnvoyTypes {
  if (!types) {
    const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, loadEnvoyDescriptorSet()));
    types = {
      registry,
      validate: {
        rules: extension(registry, 'validate.rules'),
        required: extension(registry, 'validate.required'),
        disabled: extension(registry, 'validate.disabled'),
      },
    };
  }
  return types;
}

/** Every message, enum and extension of the pinned Envoy API, for `fromJson`/`toJson`/`Any`. */
export function envoyRegistry(): FileRegistry {
  return envoyTypes().registry;
}

export function validateExtensions(): ValidateExtensions {
  return envoyTypes().validate;
}
