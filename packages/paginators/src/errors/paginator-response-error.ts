import { PaginatorError } from './paginator-error.js';

/** A response lacks, or has a malformed, value the paginator was configured to read. */
export class PaginatorResponseError extends PaginatorError {
  readonly url: string;

  constructor(message: string, url: string) {
    super('PAGINATOR_RESPONSE', `${message} (response of ${url})`);
    this.url = url;
  }
}
