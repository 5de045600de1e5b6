import { type DescMessage } from '@bufbuild/protobuf';
import { envoyRegistry, validateExtensions } from '../envoy-registry';
import { type FieldValidation, RuleCache } from './field-rules';

function hasRules(validation: FieldValidation): boolean {
  switch (validation.kind) {
    case 'single':
      return validation.element.check !== undefined || validation.element.required !== undefined;
    case 'list':
      return validation.size !== undefined || validation.unique || validation.items.check !== undefined;
    case 'map':
      return (
        validation.size !== undefined ||
        validation.keys !== undefined ||
        validation.values.check !== undefined
      );
  }
}

describe(RuleCache.name, () => {
  const messages = [...envoyRegistry()].filter((type): type is DescMessage => type.kind === 'message');

  it('compiles the rules of every field of the Envoy API (every pattern is a valid JavaScript regex)', () => {
    const sut = new RuleCache(validateExtensions());

    const withRules = messages
      .flatMap((message) => message.fields)
      .filter((field) => hasRules(sut.field(field)));

    expect(withRules.length).toBeGreaterThan(1000);
    expect(withRules.map((field) => field.toString())).toEqual(
      expect.arrayContaining([
        'field envoy.config.core.v3.SocketAddress.port_value',
        'field envoy.config.cluster.v3.Cluster.name',
      ]),
    );
  });

  it('finds the oneofs marked validate.required', () => {
    const sut = new RuleCache(validateExtensions());
    const socketAddress = envoyRegistry().getMessage('envoy.config.core.v3.SocketAddress')!;

    expect(sut.message(socketAddress).requiredOneofs.map((oneof) => oneof.name)).toEqual(['port_specifier']);
    expect(
      messages.filter((message) => sut.message(message).requiredOneofs.length > 0).length,
    ).toBeGreaterThan(50);
  });

  it('compiles each field once', () => {
    const sut = new RuleCache(validateExtensions());
    const portValue = envoyRegistry().getMessage('envoy.config.core.v3.SocketAddress')!.field['portValue']!;

    expect(sut.field(portValue)).toBe(sut.field(portValue));
  });
});
