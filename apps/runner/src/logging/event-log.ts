import { oauth2LogEntry } from '@siphon/auth-oauth2';
import { isEventIn, type SiphonEvent } from '@siphon/core';
import type { Logger } from './logger.js';

/** Sink events worth a warning: a record or a value did not reach its topic, or a producer failed. */
const SINK_WARNINGS = new Set(['sink.dead_letter', 'sink.discarded', 'sink.producer_recreated']);

/**
 * The runner's log subscriber: one line per event worth one, from the pipeline's event bus (the
 * engine's, the HTTP client's, OAuth2's and the sink's events alike). Metrics come from the same
 * events (`RunnerMetrics.subscribe`).
 */
export function logEvent(log: Logger, event: SiphonEvent): void {
  if (isEventIn(event, 'oauth2')) {
    const entry = oauth2LogEntry(event);
    if (entry) log[entry.level]({}, entry.message);
    return;
  }
  if (isEventIn(event, 'sink')) {
    // Fields keep the sink's short names (`type: 'transaction_committed'`), as before the bus.
    const fields = { ...event, type: event.type.slice('sink.'.length) };
    if (event.type === 'sink.transaction_committed') log.debug(fields, 'transaction committed');
    else if (SINK_WARNINGS.has(event.type)) log.warn(fields, `sink: ${fields.type.replace('_', ' ')}`);
    else log.info(fields, `sink: ${fields.type.replace('_', ' ')}`);
    return;
  }
  switch (event.type) {
    case 'engine.log':
      log[event.level]({ resource: event.resource }, event.message);
      break;
    case 'engine.resource_started':
      log.info({ resource: event.resource, resumed: event.resumed }, 'resource started');
      break;
    case 'engine.resource_finished':
      log.info(
        {
          resource: event.resource,
          pages: event.pages,
          records: event.records,
          duration_ms: event.durationMs,
        },
        'resource finished',
      );
      break;
    case 'engine.resource_failed':
      // An AbortError is a stop we asked for (shutdown, or `check` reading only a first page).
      if (event.error.name === 'AbortError') log.info({ resource: event.resource }, 'resource stopped');
      else log.error({ resource: event.resource, err: event.error }, 'resource failed');
      break;
    case 'http.retry':
      log.warn(
        { resource: event.resource, url: event.url, attempt: event.attempt, delay_ms: event.delayMs },
        `retrying: ${event.reason}`,
      );
      break;
    case 'http.rate_limited':
      log.info(
        { resource: event.resource, host: event.host, wait_ms: event.waitMs, by: event.source },
        'rate limited',
      );
      break;
    case 'engine.page_fetched':
      log.debug({ resource: event.resource, page: event.index, records: event.records }, 'page');
      break;
    default:
      log.trace({ ...event }, event.type);
  }
}
