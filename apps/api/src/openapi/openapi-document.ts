import { type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { DOMAIN_ERROR_CODES } from '@envoy-fleet/domain';
import { z } from 'zod';
import { ACCESS_TOKEN_SCHEME, API_KEY_SCHEME, PROBLEM_SCHEMA_NAME } from './api-docs.decorators';
import { JSON_VALUE_SCHEMA_NAME, jsonSchemaOf, jsonValueSchema } from './zod-json-schema';

const problemDetailsSchema = z
  .object({
    type: z
      .string()
      .describe('https://envoy-fleet.dev/problems/<code>, or about:blank for plain HTTP errors'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().describe('the request path'),
    code: z.enum(DOMAIN_ERROR_CODES).optional(),
    errors: z
      .array(
        z.object({
          path: z.string().describe('dotted JSON path, e.g. spec.clusters[2].connect_timeout'),
          message: z.string(),
        }),
      )
      .optional(),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
    errorId: z
      .string()
      .optional()
      .describe('for 500s: quote it to the operators, who find the cause in the logs'),
  })
  .describe('RFC 9457 problem details');

/**
 * The OpenAPI 3.1 document of the api, generated from its controllers: the module is scanned in Nest's
 * preview mode (nothing instantiated, nothing connected), so the document describes exactly the routes served.
 */
export async function buildOpenApiDocument(module: DynamicModule): Promise<OpenAPIObject> {
  const app = await NestFactory.create(module, new FastifyAdapter(), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    const config = new DocumentBuilder()
      .setTitle('envoy-fleet API')
      .setDescription(
        'Manages fleets of Envoy proxies: tenants, API keys, nodes, proxy groups, proxies, and configs with immutable versions. ' +
          'Errors are application/problem+json (RFC 9457). Reads return ETag; updates and deletes require If-Match. ' +
          'Writes accept ?dryRun=true; POSTs accept Idempotency-Key.',
      )
      .setVersion('v1')
      .setOpenAPIVersion('3.1.0')
      .addBearerAuth(
        {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'an access token from POST /api/v1/auth/token, or of the identity provider at JWKS_URL',
        },
        ACCESS_TOKEN_SCHEME,
      )
      .addBearerAuth(
        { type: 'http', scheme: 'bearer', description: 'an API key (efk_...) sent as bearer token' },
        API_KEY_SCHEME,
      )
      .build();
    const document = SwaggerModule.createDocument(app, config, {
      operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
    });
    return {
      ...document,
      components: {
        ...document.components,
        schemas: {
          ...document.components?.schemas,
          [PROBLEM_SCHEMA_NAME]: jsonSchemaOf(problemDetailsSchema, 'output'),
          [JSON_VALUE_SCHEMA_NAME]: jsonValueSchema,
        },
      },
    };
  } finally {
    await app.close();
  }
}
