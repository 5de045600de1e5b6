import { Injectable } from '@nestjs/common';
import type { JsonObject, Labels } from '@envoy-fleet/domain';
import type { Config, ControlPlaneServiceServer } from '@envoy-fleet/proto/management';
import { CONFIG_LIST, CONFIG_VERSION_LIST } from '../modules/configs/config.dto';
import { ConfigService } from '../modules/configs/config.service';
import { type ProxyConfig, proxyConfigSchema } from '../modules/configs/proxy-config';
import { parseRequest } from '../http/zod-request';
import {
  configMessage,
  configVersionMessage,
  resourceChanges,
  specOf,
  validationIssueMessage,
} from './config-messages';
import { GrpcEdge } from './grpc-edge';
import {
  expectedVersion,
  fieldPaths,
  inRequestTerms,
  invalidField,
  listQueryOf,
  nextPageToken,
  required,
  uuidOf,
} from './grpc-request';

const CONFIG_PATHS = fieldPaths('config', {
  'metadata.name': 'name',
  'metadata.description': 'description',
  'metadata.labels': 'labels',
  spec: 'spec',
});

/** A Config message as the ProxyConfig document the service takes, checked by the same schema. */
function proxyConfigOf(config: Config): ProxyConfig {
  return parseRequest(
    proxyConfigSchema,
    {
      apiVersion: 'v1',
      kind: 'ProxyConfig',
      metadata: { name: config.name, description: config.description, labels: config.labels },
      spec: specOf(config.spec),
    },
    'body',
  );
}

/** Labels replaced, not merged: keys absent from `next` are removed (RFC 7396 `null`). */
function replacementOf(current: Labels, next: Labels): Record<string, string | null> {
  return { ...Object.fromEntries(Object.keys(current).map((key) => [key, null])), ...next };
}

type ConfigHandlers = Pick<
  ControlPlaneServiceServer,
  | 'createConfig'
  | 'getConfig'
  | 'listConfigs'
  | 'updateConfig'
  | 'deleteConfig'
  | 'validateConfig'
  | 'listConfigVersions'
  | 'getConfigVersion'
  | 'diffConfigVersions'
  | 'rollbackConfig'
>;

/** The config and version RPCs over ConfigService. */
@Injectable()
export class ConfigGrpcHandlers {
  constructor(
    private readonly edge: GrpcEdge,
    private readonly configs: ConfigService,
  ) {}

  handlers(): ConfigHandlers {
    const { edge, configs } = this;
    return {
      createConfig: edge.unary({ role: 'operator' }, async (principal, request) => {
        const config = required(request.config, 'config');
        const created = await inRequestTerms(CONFIG_PATHS, () =>
          configs.create(principal, proxyConfigOf(config), request.message),
        );
        return { config: configMessage(created) };
      }),
      getConfig: edge.unary({ role: 'viewer' }, async (principal, request) => ({
        config: configMessage(await configs.get(principal, uuidOf(request.id, 'id'))),
      })),
      listConfigs: edge.unary({ role: 'viewer' }, async (principal, request) => {
        if (request.nameContains !== '') {
          throw invalidField(
            'name_contains',
            'is not supported: filter configs by label_selector (names are matched exactly by neither API yet)',
          );
        }
        const page = await configs.list(principal, await listQueryOf(CONFIG_LIST, request));
        return { configs: page.items.map(configMessage), nextPageToken: nextPageToken(page.nextCursor) };
      }),
      updateConfig: edge.unary({ role: 'operator' }, async (principal, request) => {
        const config = required(request.config, 'config');
        const id = uuidOf(config.id, 'config.id');
        const current = await configs.get(principal, id);
        const version = await expectedVersion(request.etag, () => Promise.resolve(current));
        const desired = await inRequestTerms(CONFIG_PATHS, () => proxyConfigOf(config));
        const fields: Record<string, () => JsonObject> = {
          name: () => ({ metadata: { name: desired.metadata.name } }),
          description: () => ({ metadata: { description: desired.metadata.description } }),
          labels: () => ({ metadata: { labels: replacementOf(current.labels, desired.metadata.labels) } }),
          spec: () => ({ spec: desired.spec }),
        };
        const mask = request.updateMask ?? [];
        const paths = mask.length === 0 ? Object.keys(fields) : mask;
        const patch: { metadata: JsonObject; spec?: JsonObject } = { metadata: {} };
        paths.forEach((path, index) => {
          const field = fields[path];
          if (field === undefined) {
            throw invalidField(
              `update_mask.paths[${index}]`,
              `"${path}" is not a writable field; use ${Object.keys(fields).join(', ')}`,
            );
          }
          const part = field();
          Object.assign(patch.metadata, part['metadata']);
          if (part['spec'] !== undefined) patch.spec = part['spec'] as JsonObject;
        });
        const updated = await inRequestTerms(CONFIG_PATHS, () =>
          configs.patch(principal, id, version, patch, request.message),
        );
        return { config: configMessage(updated) };
      }),
      deleteConfig: edge.unary({ role: 'operator' }, async (principal, request) => {
        const id = uuidOf(request.id, 'id');
        const version = await expectedVersion(request.etag, () => configs.get(principal, id));
        await configs.delete(principal, id, version);
        return {};
      }),
      validateConfig: edge.unary({ role: 'viewer' }, async (principal, request) => {
        if (request.id !== undefined) {
          const id = uuidOf(request.id, 'id');
          const report = await configs.validate(principal, id, undefined);
          const stored = await configs.get(principal, id);
          const spec = stored.document.spec;
          return {
            valid: report.valid,
            issues: report.issues.map((issue) => validationIssueMessage(issue, spec)),
          };
        }
        if (request.spec === undefined)
          throw invalidField('target', 'set id (a stored config) or spec (a draft)');
        const draft = await inRequestTerms(fieldPaths('', { spec: 'spec' }), () =>
          parseRequest(
            proxyConfigSchema,
            {
              apiVersion: 'v1',
              kind: 'ProxyConfig',
              metadata: { name: 'draft' },
              spec: specOf(request.spec),
            },
            'body',
          ),
        );
        const report = configs.validateDraft(draft);
        const spec = specOf(request.spec);
        return {
          valid: report.valid,
          issues: report.issues.map((issue) => validationIssueMessage(issue, spec)),
        };
      }),
      listConfigVersions: edge.unary({ role: 'viewer' }, async (principal, request) => {
        const page = await configs.listVersions(
          principal,
          uuidOf(request.configId, 'config_id'),
          await listQueryOf(CONFIG_VERSION_LIST, request),
        );
        return {
          versions: page.items.map(configVersionMessage),
          nextPageToken: nextPageToken(page.nextCursor),
        };
      }),
      getConfigVersion: edge.unary({ role: 'viewer' }, async (principal, request) => ({
        version: configVersionMessage(
          await configs.getVersion(principal, uuidOf(request.configId, 'config_id'), request.version),
        ),
      })),
      diffConfigVersions: edge.unary({ role: 'viewer' }, async (principal, request) => {
        const id = uuidOf(request.configId, 'config_id');
        const from = await configs.getVersion(principal, id, request.fromVersion);
        const to = await configs.getVersion(principal, id, request.toVersion);
        return { changes: resourceChanges(from.document, to.document) };
      }),
      rollbackConfig: edge.unary({ role: 'operator' }, async (principal, request) => {
        const id = uuidOf(request.configId, 'config_id');
        const version = await expectedVersion(request.etag, () => configs.get(principal, id));
        const rolledBack = await configs.rollback(principal, id, version, request.toVersion, request.message);
        const made = await configs.getVersion(principal, id, rolledBack.latestVersion);
        return { config: configMessage(rolledBack), version: configVersionMessage(made) };
      }),
    };
  }
}
