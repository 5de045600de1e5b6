import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Controller, Get, Header, Inject, Param, Res } from '@nestjs/common';
import { ApiExcludeController, type OpenAPIObject } from '@nestjs/swagger';
import { DomainError } from '@envoy-fleet/domain';
import type { FastifyReply } from 'fastify';

/** Where the swagger-ui-dist package keeps the UI's files. */
const SWAGGER_UI_DIRECTORY = dirname(require.resolve('swagger-ui-dist/package.json'));

export const OPENAPI_DOCUMENT = Symbol('OPENAPI_DOCUMENT');

const ASSET_TYPES: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

const UI_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>envoy-fleet API</title>
    <link rel="stylesheet" href="/api/docs/assets/swagger-ui.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/api/docs/assets/swagger-ui-bundle.js"></script>
    <script>
      window.ui = SwaggerUIBundle({ url: '/api/docs-json', dom_id: '#swagger-ui', persistAuthorization: true });
    </script>
  </body>
</html>
`;

/** The OpenAPI document and the Swagger UI over it; public, like health and metrics. */
@ApiExcludeController()
@Controller('api')
export class DocsController {
  constructor(@Inject(OPENAPI_DOCUMENT) private readonly document: OpenAPIObject) {}

  @Get('docs-json')
  json(): OpenAPIObject {
    return this.document;
  }

  @Get('docs')
  @Header('Content-Type', 'text/html; charset=utf-8')
  ui(): string {
    return UI_PAGE;
  }

  @Get('docs/assets/:file')
  async asset(@Param('file') file: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    const type = ASSET_TYPES[file];
    if (type === undefined) throw DomainError.notFound('docs asset', file);
    void reply.type(type);
    return readFile(join(SWAGGER_UI_DIRECTORY, file));
  }
}
