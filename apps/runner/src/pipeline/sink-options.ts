import type { EventBus } from '@siphon/core';
import { type Logger, type ResolvedOptions, sinkOptions } from '@siphon/sink-kafka';
import type { PipelineConfig } from '../config/schema.js';

/**
 * The Kafka sink's options for one pipeline: its `kafka`, `registry`, `topics` and `sink` blocks
 * were parsed by the sink's own schemas when the pipelines file loaded, so they are taken as is.
 */
export function kafkaSinkOptions(
  pipeline: PipelineConfig,
  hooks: { logger?: Logger; events?: EventBus } = {},
): ResolvedOptions {
  return sinkOptions(pipeline, hooks);
}
