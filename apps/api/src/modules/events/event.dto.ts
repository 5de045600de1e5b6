import { type EventType, isEventType } from '@envoy-fleet/domain';
import { z } from 'zod';

export const eventStreamQuerySchema = z.strictObject({
  types: z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((type) => type.trim())
        .filter((type) => type !== ''),
    )
    .pipe(z.array(z.string().refine(isEventType, 'is not an event type of the catalogue')))
    .transform((types): readonly EventType[] => types as EventType[])
    .optional(),
});
export type EventStreamQuery = z.output<typeof eventStreamQuerySchema>;
