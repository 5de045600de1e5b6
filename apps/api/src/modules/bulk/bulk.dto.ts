import { z } from 'zod';

export const BULK_ACTIONS = ['create', 'update', 'patch', 'delete'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

export const BULK_RESOURCES = ['proxy-groups', 'proxies', 'configs'] as const;
export type BulkResource = (typeof BULK_RESOURCES)[number];

/** Most operations one request may carry; larger batches are split by the client. */
export const MAX_BULK_OPERATIONS = 500;

const operationSchema = z
  .strictObject({
    action: z
      .enum(BULK_ACTIONS)
      .describe('create (POST), update (PUT, full replace), patch (JSON Merge Patch), delete'),
    resource: z.enum(BULK_RESOURCES),
    id: z
      .string()
      .min(1)
      .optional()
      .describe('the resource as in its path (a proxy by node id); not for create'),
    ifMatch: z
      .union([z.string().min(1), z.number().int().min(1)])
      .optional()
      .describe('the ETag (W/"3") or version (3) the change is based on; required but for create'),
    body: z
      .unknown()
      .optional()
      .describe("the resource's request body, as its own route takes it; not for delete"),
    message: z.string().max(1000).optional().describe('configs: the message of the version made'),
  })
  .superRefine((operation, context) => {
    const refuse = (path: string, message: string): void => {
      context.addIssue({ code: 'custom', path: [path], message });
    };
    if (operation.action === 'create' && operation.id !== undefined) {
      refuse('id', 'not allowed on create: the id is assigned (a proxy names its nodeId in the body)');
    }
    if (operation.action === 'create' && operation.ifMatch !== undefined) {
      refuse('ifMatch', 'not allowed on create');
    }
    if (operation.action !== 'create' && operation.id === undefined) {
      refuse('id', `required to ${operation.action}`);
    }
    if (operation.action === 'delete' && operation.body !== undefined) {
      refuse('body', 'not allowed on delete');
    }
    if (operation.action !== 'delete' && operation.body === undefined) {
      refuse('body', `required to ${operation.action}`);
    }
    if (operation.message !== undefined && operation.resource !== 'configs') {
      refuse('message', 'only configs record a message');
    }
  });
export type BulkOperation = z.output<typeof operationSchema>;

export const bulkRequestSchema = z.strictObject({
  operations: z
    .array(operationSchema)
    .min(1)
    .max(MAX_BULK_OPERATIONS)
    .describe('run in order in one transaction: all are applied, or none'),
});
export type BulkRequest = z.output<typeof bulkRequestSchema>;

export const bulkResultViewSchema = z.object({
  results: z.array(
    z.object({
      index: z.number().int().describe("the operation's position in the request"),
      action: z.enum(BULK_ACTIONS),
      resource: z.enum(BULK_RESOURCES),
      id: z.string().describe('the resource as in its path (a proxy by node id)'),
      status: z
        .number()
        .int()
        .describe('what its own route would have answered: 201 created, 200 updated, 204 deleted'),
      item: z
        .record(z.string(), z.unknown())
        .nullable()
        .describe('the resource as stored, as its own route returns it; null once deleted'),
    }),
  ),
});
export type BulkResultView = z.output<typeof bulkResultViewSchema>;
export type BulkItemResult = BulkResultView['results'][number];
