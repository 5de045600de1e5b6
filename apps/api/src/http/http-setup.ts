import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { API_SETTINGS } from '../api.tokens';
import type { ApiSettings } from '../api-settings';
import { registerBodyParsers } from './request-body-parsers';

/** Configures the Fastify instance under Nest before it serves: the accepted media types and body limit. */
@Injectable()
export class HttpSetup implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(API_SETTINGS) private readonly settings: ApiSettings,
  ) {}

  onModuleInit(): void {
    registerBodyParsers(
      this.adapterHost.httpAdapter.getInstance<FastifyInstance>(),
      this.settings.bodyLimitBytes,
    );
  }
}
