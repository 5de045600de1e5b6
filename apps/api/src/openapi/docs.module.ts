import { type DynamicModule, Module } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { DocsController, OPENAPI_DOCUMENT } from './docs.controller';

@Module({})
export class DocsModule {
  static register(document: OpenAPIObject): DynamicModule {
    return {
      module: DocsModule,
      controllers: [DocsController],
      providers: [{ provide: OPENAPI_DOCUMENT, useValue: document }],
    };
  }
}
