import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  compileConfigTemplate,
  createEvent,
  DomainError,
  type JsonObject,
  type ValidationIssue,
} from '@envoy-fleet/domain';
import { appendEvents, ConfigTemplateEntity, updateVersioned } from '@envoy-fleet/db';
import type { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { Principal } from '../../auth/principal';
import { listPage } from '../../database/list-page';
import { UnitOfWork } from '../../database/unit-of-work.service';
import { deleteVersioned } from '../../database/versioned-delete';
import type { ListQuery, Page } from '../../http/list-query';
import { mergePatchObject } from '../../http/merge-patch';
import { issuesOf, parseRequest } from '../../http/zod-request';
import { ConfigService } from '../configs/config.service';
import { type ProxyConfig, proxyConfigSchema } from '../configs/proxy-config';
import {
  CONFIG_TEMPLATE_LIST,
  type ConfigTemplateView,
  configTemplateView,
  type ConfigTemplateWrite,
  configTemplateWriteOf,
  configTemplateWriteSchema,
  type RenderView,
} from './config-template.dto';

type Change = 'created' | 'updated' | 'deleted';

/**
 * Config templates [seed 000 4.3]: Handlebars text rendering a ProxyConfig, with a JSON Schema for its
 * parameters. A template is stored only if its body compiles and its schema is valid JSON Schema;
 * rendering checks the result exactly as the configs module checks a config.
 */
@Injectable()
export class ConfigTemplateService {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly configs: ConfigService,
  ) {}

  list(principal: Principal, query: ListQuery): Promise<Page<ConfigTemplateView>> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const page = await listPage(
        manager.getRepository(ConfigTemplateEntity).createQueryBuilder('template'),
        CONFIG_TEMPLATE_LIST,
        query,
      );
      return { items: page.items.map(configTemplateView), nextCursor: page.nextCursor };
    });
  }

  get(principal: Principal, id: string): Promise<ConfigTemplateView> {
    return this.unitOfWork.forTenant(principal, async (manager) =>
      configTemplateView(await findTemplate(manager, id)),
    );
  }

  create(principal: Principal, write: ConfigTemplateWrite): Promise<ConfigTemplateView> {
    assertCompiles(write);
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const template = await manager.save(
        manager.create(ConfigTemplateEntity, { ...write, tenantId: principal.tenantId }),
      );
      await appendEvents(manager, [changed(principal, template, 'created')]);
      return configTemplateView(template);
    });
  }

  replace(
    principal: Principal,
    id: string,
    expectedVersion: number,
    write: ConfigTemplateWrite,
  ): Promise<ConfigTemplateView> {
    assertCompiles(write);
    return this.unitOfWork.forTenant(principal, async (manager) => {
      await findTemplate(manager, id);
      // The JSON column makes TypeORM's deep-partial type recurse without end; the fields are the entity's own.
      const changes = { ...write } as unknown as QueryDeepPartialEntity<ConfigTemplateEntity>;
      const template = await updateVersioned(manager, ConfigTemplateEntity, id, expectedVersion, changes);
      await appendEvents(manager, [changed(principal, template, 'updated')]);
      return configTemplateView(template);
    });
  }

  async patch(
    principal: Principal,
    id: string,
    expectedVersion: number,
    patch: unknown,
  ): Promise<ConfigTemplateView> {
    const current = await this.get(principal, id);
    const merged = mergePatchObject(configTemplateWriteOf(current), patch);
    return this.replace(
      principal,
      id,
      expectedVersion,
      parseRequest(configTemplateWriteSchema, merged, 'body'),
    );
  }

  /** A template that a binding uses cannot be deleted (409). */
  delete(principal: Principal, id: string, expectedVersion: number): Promise<void> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const template = await findTemplate(manager, id);
      await deleteVersioned(manager, ConfigTemplateEntity, id, expectedVersion);
      await appendEvents(manager, [changed(principal, template, 'deleted')]);
    });
  }

  /**
   * Renders with `parameters` and returns the ProxyConfig; 422 with every problem otherwise: parameters
   * against the schema (`parameters.<path>`), render errors (`body`), and the checks a config gets on
   * write (`document.<path>`).
   */
  async render(principal: Principal, id: string, parameters: JsonObject): Promise<RenderView> {
    const template = await this.get(principal, id);
    const rendered = this.renderDocument(template, parameters);
    if (!rendered.ok) {
      const summary = rendered.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
      throw new DomainError(
        'VALIDATION_FAILED',
        `template ${template.name} does not render a valid config with these parameters: ${summary}`,
        { issues: rendered.issues },
      );
    }
    return { document: rendered.document };
  }

  private renderDocument(
    template: ConfigTemplateView,
    parameters: JsonObject,
  ): { ok: true; document: ProxyConfig } | { ok: false; issues: readonly ValidationIssue[] } {
    const compiled = compileConfigTemplate({
      body: template.body,
      parametersSchema: template.parametersSchema as JsonObject,
    });
    if (!compiled.ok) return compiled;
    const rendering = compiled.render(parameters);
    if (!rendering.ok) return rendering;
    const envelope = proxyConfigSchema.safeParse(rendering.output);
    if (!envelope.success) return { ok: false, issues: issuesOf(envelope.error, ['document']) };
    const report = this.configs.validateDraft(envelope.data);
    if (!report.valid) return { ok: false, issues: report.issues.map(inDocument) };
    return { ok: true, document: envelope.data };
  }
}

function assertCompiles(write: ConfigTemplateWrite): void {
  const compiled = compileConfigTemplate(write);
  if (!compiled.ok) DomainError.assertValid(`template ${write.name}`, compiled.issues);
}

function inDocument(issue: ValidationIssue): ValidationIssue {
  return { path: issue.path === '' ? 'document' : `document.${issue.path}`, message: issue.message };
}

async function findTemplate(manager: EntityManager, id: string): Promise<ConfigTemplateEntity> {
  const template = await manager.findOneBy(ConfigTemplateEntity, { id });
  if (template === null) throw DomainError.notFound('config template', id);
  return template;
}

function changed(principal: Principal, template: ConfigTemplateEntity, change: Change) {
  return createEvent('template.changed', {
    id: randomUUID(),
    tenantId: principal.tenantId,
    aggregateId: template.id,
    payload: { templateId: template.id, name: template.name, change },
  });
}
