import { compileConfigTemplate, type ConfigTemplateSource } from './config-template.value';

const listenerTemplate: ConfigTemplateSource = {
  body: '{"spec": {"listeners": [{"name": {{json name}}, "port": {{port}}{{#if tls}}, "tls": true{{/if}} }]}}',
  parametersSchema: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      tls: { type: 'boolean' },
    },
    required: ['name', 'port'],
    additionalProperties: false,
  },
};

function render(template: ConfigTemplateSource, parameters: Record<string, never> | object) {
  const compiled = compileConfigTemplate(template);
  if (!compiled.ok) throw new Error(`does not compile: ${JSON.stringify(compiled.issues)}`);
  return compiled.render(parameters as never);
}

describe(compileConfigTemplate.name, () => {
  it('renders JSON, writing strings with quotes safely through the json helper and skipping absent optionals', () => {
    expect(render(listenerTemplate, { name: 'say "hi"', port: 8080 })).toEqual({
      ok: true,
      output: { spec: { listeners: [{ name: 'say "hi"', port: 8080 }] } },
    });
    expect(render(listenerTemplate, { name: 'a', port: 1, tls: true })).toMatchObject({
      output: { spec: { listeners: [{ tls: true }] } },
    });
  });

  it('reports every parameter error at its path', () => {
    expect(render(listenerTemplate, { port: 0, extra: 1 })).toEqual({
      ok: false,
      issues: expect.arrayContaining([
        { path: 'parameters.name', message: 'is required' },
        { path: 'parameters.extra', message: 'is not allowed' },
        { path: 'parameters.port', message: 'must be >= 1' },
      ]) as unknown,
    });
  });

  it('names nested parameter paths with indexes', () => {
    const template = {
      body: '{}',
      parametersSchema: {
        type: 'object',
        properties: {
          routes: { type: 'array', items: { type: 'object', properties: { port: { type: 'integer' } } } },
        },
      },
    };

    expect(render(template, { routes: [{ port: 1 }, { port: 'x' }] })).toEqual({
      ok: false,
      issues: [{ path: 'parameters.routes[1].port', message: 'must be integer' }],
    });
  });

  it('reports a reference to a value that is not there, and output that is not JSON, as render errors of the body', () => {
    const missing = render({ body: '{"a": {{json missing}}, "b": "{{other}}" }', parametersSchema: {} }, {});
    const notJson = render({ body: '{"a": {{value}} }', parametersSchema: {} }, { value: 'text' });

    expect(missing).toEqual({
      ok: false,
      issues: [{ path: 'body', message: expect.stringContaining('"other" not defined') as unknown }],
    });
    expect(notJson).toEqual({
      ok: false,
      issues: [
        { path: 'body', message: expect.stringMatching(/^renders text that is not JSON: /) as unknown },
      ],
    });
  });

  it('refuses a body that does not parse as Handlebars, with the line', () => {
    const compiled = compileConfigTemplate({ body: '{\n{{#if tls}}\n}', parametersSchema: {} });

    expect(compiled).toEqual({
      ok: false,
      issues: [
        {
          path: 'body',
          message: expect.stringMatching(
            /^is not a valid Handlebars template: Parse error on line 3:/,
          ) as unknown,
        },
      ],
    });
  });

  it('compiles templates whose schemas share an $id, each with its own rules', () => {
    const schema = (type: string) => ({
      $id: 'https://example.test/parameters',
      type: 'object',
      properties: { x: { type } },
    });
    const strings = render({ body: '{}', parametersSchema: schema('string') }, { x: 1 });
    const numbers = render({ body: '{}', parametersSchema: schema('number') }, { x: 1 });

    expect(strings).toEqual({ ok: false, issues: [{ path: 'parameters.x', message: 'must be string' }] });
    expect(numbers).toEqual({ ok: true, output: {} });
  });

  it('refuses a parameters schema that is not valid JSON Schema, at the offending keyword', () => {
    const invalid = compileConfigTemplate({
      body: '{}',
      parametersSchema: { type: 'object', properties: { port: { type: 'integr' } } },
    });
    const unknownKeyword = compileConfigTemplate({
      body: '{}',
      parametersSchema: { type: 'object', prop: {} },
    });

    expect(invalid).toEqual({
      ok: false,
      issues: expect.arrayContaining([
        {
          path: 'parametersSchema.properties.port.type',
          message: 'is not valid JSON Schema: must be equal to one of the allowed values',
        },
      ]) as unknown,
    });
    expect(unknownKeyword).toEqual({
      ok: false,
      issues: [
        { path: 'parametersSchema', message: expect.stringContaining('unknown keyword: "prop"') as unknown },
      ],
    });
  });
});
