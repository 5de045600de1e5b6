import { DomainError } from '@envoy-fleet/domain';
import type { FastifyInstance } from 'fastify';
import { parseDocument } from 'yaml';

export const JSON_MEDIA_TYPES = ['application/json', 'application/merge-patch+json'] as const;
export const YAML_MEDIA_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'] as const;

/**
 * Replaces Fastify's body parsers by the media types the api accepts, each bounded by `bodyLimit`
 * bytes (Fastify answers 413 past it). Other media types are refused with 415 by Fastify itself.
 */
export function registerBodyParsers(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    [...JSON_MEDIA_TYPES],
    { parseAs: 'string', bodyLimit },
    (_request, body, done) => {
      try {
        done(null, parseJsonBody(String(body)));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
  fastify.addContentTypeParser(
    [...YAML_MEDIA_TYPES],
    { parseAs: 'string', bodyLimit },
    (_request, body, done) => {
      try {
        done(null, parseYamlBody(String(body)));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
}

export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new DomainError('INVALID_REQUEST', `the body is not valid JSON: ${(error as Error).message}`, {
      issues: [{ path: '', message: (error as Error).message }],
    });
  }
}

/** YAML 1.2 core schema: plain data only (no dates, no custom tags), one document. */
export function parseYamlBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new DomainError(
      'INVALID_REQUEST',
      `the body is not valid YAML: ${document.errors[0]?.message ?? ''}`,
      {
        issues: document.errors.map((error) => ({ path: '', message: error.message })),
      },
    );
  }
  return document.toJS({ maxAliasCount: 100 }) as unknown;
}
