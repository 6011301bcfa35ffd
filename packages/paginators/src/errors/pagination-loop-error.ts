import { PaginatorError } from './paginator-error.js';

/** A paginator asked for a page it already fetched, or went past its configured maximum. */
export class PaginationLoopError extends PaginatorError {
  /** The paginator-controlled part of the repeated request, e.g. `page=3` or `url=https://…`. */
  readonly position: string;

  constructor(message: string, position: string, resource: string) {
    super('PAGINATION_LOOP', message, { resource });
    this.position = position;
  }
}
