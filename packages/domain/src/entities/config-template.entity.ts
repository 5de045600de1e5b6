import { type JsonObject } from '../values/json.value';

/** A Handlebars template that renders a config document (JSON) from parameters [seed 000 4.3]. */
export interface ConfigTemplate {
  readonly id: string;
  readonly tenantId: string;
  /** Unique within the tenant. */
  readonly name: string;
  readonly description: string;
  readonly body: string;
  /** JSON Schema (draft 2020-12) the parameters of a template binding must satisfy. */
  readonly parametersSchema: JsonObject;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
