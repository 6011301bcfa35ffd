import type { EventNameIn, SiphonEvent } from '@siphon/core';
import type { KafkaSinkEvent } from './options.js';

type Payload<T extends KafkaSinkEvent['type']> = Omit<Extract<KafkaSinkEvent, { type: T }>, 'type'>;

/** The sink's events on core's bus (`KafkaSinkOptions.events`), under `sink.*`. */
declare module '@siphon/core' {
  interface SiphonEventMap {
    'sink.topic_created': Payload<'topic_created'>;
    'sink.schema_registered': Payload<'schema_registered'>;
    'sink.transaction_committed': Payload<'transaction_committed'>;
    /** A record went to the dead-letter topic. */
    'sink.dead_letter': Payload<'dead_letter'>;
    /** A row or a value dropped by the `discard_row` / `discard_value` schema contract. */
    'sink.discarded': Payload<'discarded'>;
    'sink.snapshot_deletes': Payload<'snapshot_deletes'>;
    'sink.producer_recreated': Payload<'producer_recreated'>;
  }
}

/** Every `sink.*` event. */
export type SinkEvent = SiphonEvent<EventNameIn<'sink'>>;

/** A sink event under its namespaced name, as the bus carries it. */
export function toBusEvent(event: KafkaSinkEvent): SiphonEvent {
  return { ...event, type: `sink.${event.type}` } as SiphonEvent;
}
