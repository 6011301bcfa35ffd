import { PaginatorError } from './paginator-error.js';

/** A checkpoint that does not fit the paginator it is restored into. */
export class CheckpointError extends PaginatorError {
  constructor(type: string, checkpoint: unknown, expected: string) {
    let shown: string;
    try {
      shown = JSON.stringify(checkpoint)?.slice(0, 200) ?? String(checkpoint);
    } catch {
      shown = String(checkpoint);
    }
    super('INVALID_CHECKPOINT', `cannot restore a ${type} paginator from ${shown}; expected ${expected}`);
  }
}
