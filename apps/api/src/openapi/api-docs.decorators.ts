import { applyDecorators } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiParam,
  ApiQuery,
  ApiResponse,
} from '@nestjs/swagger';
import type { z } from 'zod';
import { DEFAULT_PAGE_SIZE, type ListSpec, MAX_PAGE_SIZE } from '../http/list-query';
import { JSON_MEDIA_TYPES, YAML_MEDIA_TYPES } from '../http/request-body-parsers';
import { pageSchema } from '../http/request-schemas';
import { jsonSchemaOf } from './zod-json-schema';

export const ACCESS_TOKEN_SCHEME = 'accessToken';
export const API_KEY_SCHEME = 'apiKey';
export const PROBLEM_SCHEMA_NAME = 'ProblemDetails';

const PROBLEM_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'malformed request: unparsable body, wrong shape, unknown property or query parameter',
  401: 'no credentials, or credentials that are not valid',
  403: "the caller's role is too low, its tenant is suspended, or a tenant quota is reached",
  404: 'no such resource in the caller’s tenant',
  409: 'the resource already exists, is still referenced, or its state forbids this',
  412: 'If-Match names a version that is no longer current',
  413: 'the body is larger than HTTP_BODY_LIMIT_BYTES',
  415: 'the body’s media type is not accepted',
  422: 'the content breaks a rule (schema, semantics), or the Idempotency-Key was used for another request',
  428: 'the change needs an If-Match header',
  429: "the credential's request rate is exceeded; see Retry-After",
};

/** Error responses as `application/problem+json` (RFC 9457). */
export function ApiProblems(...statuses: number[]): MethodDecorator {
  return applyDecorators(
    ...[...new Set([401, 403, 429, ...statuses])].sort().map((status) =>
      ApiResponse({
        status,
        description: PROBLEM_DESCRIPTIONS[status] ?? 'error',
        content: {
          'application/problem+json': { schema: { $ref: `#/components/schemas/${PROBLEM_SCHEMA_NAME}` } },
        },
      }),
    ),
  );
}

/** Either a bearer access token or an API key as bearer token. */
export function ApiSecured(): ClassDecorator & MethodDecorator {
  return applyDecorators(ApiBearerAuth(ACCESS_TOKEN_SCHEME), ApiBearerAuth(API_KEY_SCHEME));
}

function ok(status: number, schema: z.ZodType, description: string): MethodDecorator {
  return ApiResponse({ status, description, schema: jsonSchemaOf(schema, 'output') });
}

function body(schema: z.ZodType, yaml: boolean): MethodDecorator {
  return applyDecorators(
    ApiConsumes(...(yaml ? ['application/json', ...YAML_MEDIA_TYPES] : ['application/json'])),
    ApiBody({ schema: jsonSchemaOf(schema, 'input') }),
  );
}

const dryRun = ApiQuery({
  name: 'dryRun',
  required: false,
  schema: { type: 'string', enum: ['true', 'false'] },
  description:
    'true: validate and do everything, then roll back; answers 200 with what would be stored and `Dry-Run: true`',
});

/** The header of a POST that makes its retries safe (the write interceptor replays the first response). */
export const idempotencyKey = ApiHeader({
  name: 'Idempotency-Key',
  required: false,
  description: 'makes retries safe: the first response is replayed for 24 hours (Idempotent-Replayed: true)',
});

const ifMatch = ApiHeader({
  name: 'If-Match',
  required: true,
  description: 'the ETag (W/"<version>") of the representation the change is based on',
});

export function ApiRead(schema: z.ZodType, description: string): MethodDecorator {
  return applyDecorators(ok(200, schema, `${description}; ETag: W/"<version>"`), ApiProblems(400, 404));
}

export function ApiList(item: z.ZodType, spec: ListSpec, description: string): MethodDecorator {
  const filters = Object.keys(spec.filters).map((name) =>
    ApiQuery({ name, required: false, type: String, description: `only items whose ${name} equals this` }),
  );
  return applyDecorators(
    ok(200, pageSchema(item), description),
    ApiQuery({
      name: 'limit',
      required: false,
      schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
    }),
    ApiQuery({
      name: 'cursor',
      required: false,
      type: String,
      description: 'the nextCursor of the previous page',
    }),
    ApiQuery({
      name: 'sort',
      required: false,
      type: String,
      description: `comma-separated fields, "-" for descending, of: ${Object.keys(spec.sortable).join(', ')}; default ${spec.defaultSort}`,
    }),
    ...(spec.labels
      ? [
          ApiQuery({
            name: 'labels',
            required: false,
            type: String,
            description: 'label selector, e.g. env=prod,tier!=db,zone in (a,b),canary,!legacy',
          }),
        ]
      : []),
    ...filters,
    ApiProblems(400),
  );
}

export function ApiCreate(
  request: z.ZodType,
  response: z.ZodType,
  description: string,
  options: { yaml?: boolean } = {},
): MethodDecorator {
  return applyDecorators(
    body(request, options.yaml ?? false),
    ok(201, response, description),
    dryRun,
    idempotencyKey,
    ApiProblems(400, 409, 413, 415, 422),
  );
}

/**
 * A command the api accepts to be carried out later (202): an outbox event or an agent command. As on
 * every write, `?dryRun=true` checks it and queues nothing, and `Idempotency-Key` makes retries safe.
 */
export function ApiAccepted(
  response: z.ZodType,
  description: string,
  ...problems: number[]
): MethodDecorator {
  return applyDecorators(
    ok(202, response, `accepted: ${description}`),
    dryRun,
    idempotencyKey,
    ApiProblems(400, 404, ...problems),
  );
}

export function ApiReplace(
  request: z.ZodType,
  response: z.ZodType,
  description: string,
  options: { yaml?: boolean } = {},
): MethodDecorator {
  return applyDecorators(
    body(request, options.yaml ?? false),
    ok(200, response, description),
    ifMatch,
    dryRun,
    ApiProblems(400, 404, 409, 412, 413, 415, 422, 428),
  );
}

export function ApiMergePatch(response: z.ZodType, description: string): MethodDecorator {
  return applyDecorators(
    ApiConsumes(...JSON_MEDIA_TYPES.slice().reverse()),
    ApiBody({
      schema: { type: 'object', description: 'a JSON Merge Patch (RFC 7396) of the writable fields' },
    }),
    ok(200, response, description),
    ifMatch,
    dryRun,
    ApiProblems(400, 404, 409, 412, 413, 415, 422, 428),
  );
}

export function ApiDelete(description: string): MethodDecorator {
  return applyDecorators(
    ApiResponse({ status: 204, description }),
    ifMatch,
    dryRun,
    ApiProblems(404, 409, 412, 428),
  );
}

export function ApiIdParam(name = 'id', description = 'the resource id (UUID)'): MethodDecorator {
  return ApiParam({
    name,
    description,
    schema: { type: 'string', format: name === 'id' ? 'uuid' : undefined },
  });
}
