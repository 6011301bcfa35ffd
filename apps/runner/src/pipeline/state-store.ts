import path from 'node:path';
import { FileStateStore, MemoryStateStore, type StateStore } from '@siphon/core';
import { type KafkaSink, KafkaStateStore } from '@siphon/sink-kafka';
import type { PipelineConfig } from '../config/schema.js';
import { kafkaSinkOptions } from './sink-options.js';

/**
 * The store a run keeps resource state in. `kafka` is the sink's own store: state is committed in
 * the same transaction as the records it describes. Undefined means "the sink's store".
 */
export function runStateStore(pipeline: PipelineConfig, baseDir: string): StateStore | undefined {
  if (pipeline.state.store === 'file') return new FileStateStore(path.resolve(baseDir, pipeline.state.path));
  if (pipeline.state.store === 'memory') return new MemoryStateStore();
  return undefined;
}

/**
 * A store for reading and editing state outside a run (`siphon state`) and for the rotated-token
 * vault: on Kafka it is a standalone reader/writer of the state topic that fences no one.
 */
export function standaloneStateStore(pipeline: PipelineConfig, baseDir: string): StateStore {
  return runStateStore(pipeline, baseDir) ?? new KafkaStateStore(kafkaSinkOptions(pipeline));
}

export type { KafkaSink };
