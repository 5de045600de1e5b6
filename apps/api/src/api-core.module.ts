import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { EventBus } from '@envoy-fleet/messaging';
import type { Logger } from '@envoy-fleet/telemetry';
import type { DataSource } from 'typeorm';
import { API_LOGGER, API_SETTINGS, APP_DATA_SOURCE, EVENT_BUS, SYSTEM_DATA_SOURCE } from './api.tokens';
import type { ApiSettings } from './api-settings';
import { AccessTokenService } from './auth/access-token.service';
import { Admission } from './auth/admission.service';
import { AuthGuard } from './auth/auth.guard';
import { CredentialsService } from './auth/credentials.service';
import { RateLimiter } from './auth/rate-limiter';
import { UnitOfWork } from './database/unit-of-work.service';
import { EtagInterceptor } from './http/etag.interceptor';
import { HttpSetup } from './http/http-setup';
import { ProblemDetailsFilter } from './http/problem-details.filter';
import { WriteRequestInterceptor } from './http/write-request.interceptor';

/** What bootstrap opened and configured, handed to every module of the api. */
export interface ApiDependencies {
  readonly appDataSource: DataSource;
  readonly systemDataSource: DataSource;
  readonly logger: Logger;
  readonly settings: ApiSettings;
  readonly bus: EventBus;
}

/**
 * The cross-cutting layer: database access, authentication and RBAC on every `/api/v1` route,
 * problem+json errors, dry runs and idempotent retries, ETags, body parsing and limits.
 * Interceptors run in the order listed: the write interceptor outside, the ETag one inside it.
 */
@Global()
@Module({})
export class ApiCoreModule {
  static register(dependencies: ApiDependencies): DynamicModule {
    const shared = [
      { provide: APP_DATA_SOURCE, useValue: dependencies.appDataSource },
      { provide: SYSTEM_DATA_SOURCE, useValue: dependencies.systemDataSource },
      { provide: API_LOGGER, useValue: dependencies.logger },
      { provide: API_SETTINGS, useValue: dependencies.settings },
      { provide: EVENT_BUS, useValue: dependencies.bus },
      { provide: RateLimiter, useValue: new RateLimiter() },
      UnitOfWork,
      AccessTokenService,
      CredentialsService,
      Admission,
    ];
    return {
      module: ApiCoreModule,
      providers: [
        ...shared,
        HttpSetup,
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_INTERCEPTOR, useClass: WriteRequestInterceptor },
        { provide: APP_INTERCEPTOR, useClass: EtagInterceptor },
      ],
      exports: shared.map((provider) => ('provide' in provider ? provider.provide : provider)),
    };
  }
}
