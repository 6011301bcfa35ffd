import type { ResourceResult } from '../contracts.js';
import { hasMarker } from './siphon-error.js';

const marker = Symbol.for('@siphon/core.PipelineError');

export interface FailedResource {
  resource: string;
  error: Error;
}

/** Some resources of a pipeline run failed; the others may have succeeded (see `results`). */
export class PipelineError extends AggregateError {
  readonly code = 'PIPELINE_FAILED';
  readonly retriable = false;
  readonly failed: readonly FailedResource[];
  /** Results of the resources that finished. */
  readonly results: readonly ResourceResult[];
  readonly [marker] = true;

  constructor(failed: readonly FailedResource[], results: readonly ResourceResult[]) {
    const lines = failed.map((f) => `  - ${f.resource}: ${f.error.message.split('\n').join('\n    ')}`);
    super(
      failed.map((f) => f.error),
      [`${failed.length} resource${failed.length === 1 ? '' : 's'} failed:`, ...lines].join('\n'),
    );
    this.name = 'PipelineError';
    this.failed = failed;
    this.results = results;
  }

  static isInstance(error: unknown): error is PipelineError {
    return hasMarker(error, marker);
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      failed: this.failed.map((f) => ({ resource: f.resource, error: f.error.message })),
    };
  }
}
