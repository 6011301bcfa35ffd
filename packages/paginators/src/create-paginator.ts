import { parseConfig } from './config/parse-config.js';
import { type PaginatorConfig, type PaginatorType, paginatorConfigSchema } from './config/schema.js';
import { guardPaginator } from './loop-guard.js';
import { AutoPaginator } from './strategies/auto.js';
import { buildStrategy } from './strategies/build.js';
import { defaultCursorLimitParam } from './strategies/cursor.js';
import { defaultBasePage, PAGE_NUMBER_LIMIT_PARAM } from './strategies/page-number.js';
import type { Paginator } from './types.js';

export interface PaginatorContext {
  /** Resource name, for messages and errors. */
  resource: string;
  /** Receives one-line notes: the strategy `auto` chose, defaults Siphon filled in. */
  log?: (message: string) => void;
}

/** True for an object that implements {@link Paginator} (a custom strategy). */
export function isPaginator(value: unknown): value is Paginator {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.initRequest === 'function' &&
    typeof candidate.nextRequest === 'function' &&
    typeof candidate.checkpoint === 'function' &&
    typeof candidate.restore === 'function'
  );
}

/**
 * Builds the paginator for one run of one resource, wrapped in the loop guard.
 * `config` is a dlt-style config object, a type name (`"auto"`, `"single_page"`...), a custom
 * `Paginator` instance (guarded, otherwise used as is), or `undefined`, which means `auto`.
 * Throws `PaginatorConfigError` naming the resource and each bad key.
 */
export function createPaginator(
  config: PaginatorConfig | PaginatorType | Paginator | undefined,
  context: PaginatorContext,
): Paginator {
  const { resource } = context;
  const log =
    context.log === undefined
      ? undefined
      : (message: string) => context.log?.(`resource "${resource}": ${message}`);
  if (isPaginator(config)) return guardPaginator(config, { resource });
  const raw =
    config === undefined ? { type: 'auto' } : typeof config === 'string' ? { type: config } : config;
  const parsed = parseConfig(paginatorConfigSchema, raw, resource);
  if (parsed.type === 'auto')
    return guardPaginator(new AutoPaginator(log === undefined ? {} : { log }), { resource });
  if (log !== undefined) for (const note of paginatorDefaultNotes(parsed)) log(note);
  const strategy = buildStrategy(parsed);
  return guardPaginator(strategy, { resource });
}

/**
 * The defaults Siphon chooses where dlt has none, as sentences (e.g. the page-size parameter it
 * sends): facts about the config, worth saying once (at `check`), not at every run.
 */
export function paginatorDefaultNotes(config: PaginatorConfig): string[] {
  const notes: string[] = [];
  if (config.type === 'page_number' && config.limit !== undefined) {
    if (config.base_page === undefined && config.page === undefined) {
      notes.push(
        `paginator "page_number": base_page not set, starting at page ${defaultBasePage(config)} (the default when "limit" is set)`,
      );
    }
    if (config.limit_param === undefined && config.limit_body_path === undefined) {
      notes.push(
        `paginator "page_number": limit_param not set, sending the page size as "${PAGE_NUMBER_LIMIT_PARAM}"`,
      );
    }
  }
  if ((config.type === 'cursor' || config.type === 'json_response_cursor') && config.limit !== undefined) {
    if (config.limit_param === undefined && config.limit_body_path === undefined) {
      notes.push(
        `paginator "${config.type}": limit_param not set, sending the page size as "${defaultCursorLimitParam(config)}"`,
      );
    }
  }
  return notes;
}
