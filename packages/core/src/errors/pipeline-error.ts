import type { ResourceResult } from '../contracts.js';
import { hasMarker, SiphonError } from './siphon-error.js';

const marker = Symbol.for('@siphon/core.PipelineError');

export interface FailedResource {
  resource: string;
  error: Error;
}

/** Some resources of a pipeline run failed; the others may have succeeded (see `results`). */
export class PipelineError extends SiphonError {
  readonly failed: readonly FailedResource[];
  /** The failures' errors, in the order of `failed` (as an `AggregateError` would list them). */
  readonly errors: readonly Error[];
  /** Results of the resources that finished. */
  readonly results: readonly ResourceResult[];
  readonly [marker] = true;

  constructor(failed: readonly FailedResource[], results: readonly ResourceResult[]) {
    const lines = failed.map((f) => `  - ${f.resource}: ${f.error.message.split('\n').join('\n    ')}`);
    super([`${failed.length} resource${failed.length === 1 ? '' : 's'} failed:`, ...lines].join('\n'), {
      code: 'PIPELINE_FAILED',
    });
    this.failed = failed;
    this.errors = failed.map((f) => f.error);
    this.results = results;
  }

  static override isInstance(error: unknown): error is PipelineError {
    return hasMarker(error, marker);
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      failed: this.failed.map((f) => ({ resource: f.resource, error: f.error.message })),
    };
  }
}
