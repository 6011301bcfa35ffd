import { type KafkaSinkEvent, type Logger, type ResolvedOptions, sinkOptions } from '@siphon/sink-kafka';
import type { PipelineConfig } from '../config/schema.js';

/**
 * The Kafka sink's options for one pipeline: its `kafka`, `registry`, `topics` and `sink` blocks
 * were parsed by the sink's own schemas when the pipelines file loaded, so they are taken as is.
 */
export function kafkaSinkOptions(
  pipeline: PipelineConfig,
  hooks: { logger?: Logger; onEvent?: (event: KafkaSinkEvent) => void } = {},
): ResolvedOptions {
  return sinkOptions(pipeline, hooks);
}
