import { type JsonObject } from '@envoy-fleet/domain';
import { Check, Column, Entity, Unique } from 'typeorm';
import { MutableTenantOwnedEntity } from './tenant-owned.entity';

@Entity({ name: 'config_templates' })
@Unique(['tenantId', 'id'])
@Unique(['tenantId', 'name'])
@Check('ck_config_templates_name', `char_length(name) BETWEEN 1 AND 255`)
@Check('ck_config_templates_body', `body <> ''`)
@Check('ck_config_templates_parameters_schema', `jsonb_typeof(parameters_schema) = 'object'`)
export class ConfigTemplateEntity extends MutableTenantOwnedEntity {
  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  /** Handlebars source rendering a config document. */
  @Column({ type: 'text' })
  body!: string;

  /** JSON Schema of the parameters. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  parametersSchema!: JsonObject;
}
