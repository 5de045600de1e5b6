import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import Handlebars from 'handlebars';
import { type ValidationIssue } from '../errors/domain.error';
import { type JsonObject, type JsonValue } from './json.value';

/** What a template is made of: Handlebars text rendering JSON, and the JSON Schema of its parameters. */
export interface ConfigTemplateSource {
  readonly body: string;
  readonly parametersSchema: JsonObject;
}

export type ConfigTemplateRendering =
  | { readonly ok: true; readonly output: JsonValue }
  | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

export type CompiledConfigTemplate =
  | {
      readonly ok: true;
      /** Checks `parameters` against the schema, renders, and parses the text as JSON. */
      readonly render: (parameters: JsonObject) => ConfigTemplateRendering;
    }
  | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

/**
 * The Handlebars environment templates render in. Nothing is HTML-escaped (the output is JSON, not
 * HTML); `{{json value}}` writes any parameter as JSON, which is the safe way to put a string that may
 * hold quotes, or an object or array, into the document. A reference to a value that is not there is
 * an error (strict mode), while `{{#if}}` and `{{#each}}` accept absent optional parameters.
 */
const handlebars = Handlebars.create();
handlebars.registerHelper('json', (value: unknown) => JSON.stringify(value ?? null));

const COMPILE_OPTIONS = { noEscape: true, strict: true } as const;

/**
 * Compiles a template: its body must parse as Handlebars and its parameters schema must be a valid
 * JSON Schema (draft 2020-12, ajv strict mode: unknown keywords are refused). Issues name the field
 * (`body`, `parametersSchema.<path>`).
 */
export function compileConfigTemplate(template: ConfigTemplateSource): CompiledConfigTemplate {
  const issues = [...bodyIssues(template.body)];
  const schema = compileSchema(template.parametersSchema);
  if (!schema.ok) issues.push(...schema.issues);
  if (issues.length > 0 || !schema.ok) return { ok: false, issues };
  const validate = schema.validate;
  const render = handlebars.compile(template.body, COMPILE_OPTIONS);
  return {
    ok: true,
    render: (parameters) => {
      if (!validate(parameters)) return { ok: false, issues: (validate.errors ?? []).map(parameterIssue) };
      let text: string;
      try {
        text = render(parameters);
      } catch (error) {
        return { ok: false, issues: [{ path: 'body', message: `cannot render: ${messageOf(error)}` }] };
      }
      try {
        return { ok: true, output: JSON.parse(text) as JsonValue };
      } catch (error) {
        return {
          ok: false,
          issues: [{ path: 'body', message: `renders text that is not JSON: ${messageOf(error)}` }],
        };
      }
    },
  };
}

function bodyIssues(body: string): ValidationIssue[] {
  try {
    handlebars.precompile(body, COMPILE_OPTIONS);
    return [];
  } catch (error) {
    return [{ path: 'body', message: `is not a valid Handlebars template: ${handlebarsMessage(error)}` }];
  }
}

type SchemaCompilation =
  | { readonly ok: true; readonly validate: ValidateFunction }
  | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

let sharedAjv: Ajv2020 | undefined;

/** One validator for every template, made on first use (building it compiles the meta-schemas). */
function schemaValidator(): Ajv2020 {
  if (sharedAjv === undefined) {
    sharedAjv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(sharedAjv);
  }
  return sharedAjv;
}

/**
 * Compiles a parameters schema with the shared validator, then forgets it there (the validate function
 * keeps working): templates come and go, and two of them may use one `$id`.
 */
function compileSchema(schema: JsonObject): SchemaCompilation {
  const ajv = schemaValidator();
  if (!ajv.validateSchema(schema)) {
    return {
      ok: false,
      issues: (ajv.errors ?? []).map((error) => ({
        path: dottedPath('parametersSchema', error.instancePath),
        message: `is not valid JSON Schema: ${error.message ?? error.keyword}`,
      })),
    };
  }
  try {
    return { ok: true, validate: ajv.compile(schema) };
  } catch (error) {
    return {
      ok: false,
      issues: [{ path: 'parametersSchema', message: `is not usable JSON Schema: ${messageOf(error)}` }],
    };
  } finally {
    ajv.removeSchema(schema);
  }
}

/** An ajv error on the parameters, at the path of the offending member (a missing one included). */
function parameterIssue(error: ErrorObject): ValidationIssue {
  const path = dottedPath('parameters', error.instancePath);
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required' && typeof params['missingProperty'] === 'string') {
    return { path: dottedPath(path, `/${params['missingProperty']}`), message: 'is required' };
  }
  if (error.keyword === 'additionalProperties' && typeof params['additionalProperty'] === 'string') {
    return { path: dottedPath(path, `/${params['additionalProperty']}`), message: 'is not allowed' };
  }
  return { path, message: error.message ?? error.keyword };
}

/** `parameters` + JSON pointer `/routes/0/port` → `parameters.routes[0].port`. */
function dottedPath(prefix: string, pointer: string): string {
  if (pointer === '') return prefix;
  return pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce(
      (path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : `${path}.${segment}`),
      prefix,
    );
}

/** Handlebars parse errors span lines (source excerpt, caret); keep the position and the expectation. */
function handlebarsMessage(error: unknown): string {
  const lines = messageOf(error).split('\n');
  return lines.length > 1 ? `${lines[0]} ${lines[lines.length - 1]}` : (lines[0] ?? '');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
