import { SiphonError } from '../errors/siphon-error.js';

/**
 * Thrown by a response check to say "this 2xx response is unusable but may be fine next time"
 * (HTML from a proxy, JSON cut short): the transport retries it like a 503.
 */
export class TransientResponseError extends SiphonError {
  declare readonly code: 'RESPONSE_NOT_JSON';

  constructor(message: string, code: 'RESPONSE_NOT_JSON' = 'RESPONSE_NOT_JSON') {
    super(message, { code, retriable: true });
  }
}
