import { PaginatorError } from './paginator-error.js';

/** A dotted path or JSONPath expression that cannot be compiled or evaluated. */
export class JsonPathError extends PaginatorError {
  readonly path: string;

  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super('INVALID_JSON_PATH', `invalid path ${JSON.stringify(path)}: ${message}`, options);
    this.path = path;
  }
}
