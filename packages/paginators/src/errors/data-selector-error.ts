import { PaginatorError } from './paginator-error.js';

/** The records could not be found in a response body. */
export class DataSelectorError extends PaginatorError {
  /** Top-level keys of the body, to help write the right `data_selector`. */
  readonly keys: string[];

  constructor(message: string, keys: string[]) {
    super('DATA_SELECTOR', message);
    this.keys = keys;
  }
}
