import { PaginatorConfigError } from '../errors/paginator-config-error.js';
import type { Paginator } from '../types.js';
import { type CursorConfig, CursorPaginator } from './cursor.js';
import { type HeaderCursorConfig, HeaderCursorPaginator } from './header-cursor.js';
import { type HeaderLinkConfig, HeaderLinkPaginator } from './header-link.js';
import { type JsonLinkConfig, JsonLinkPaginator } from './json-link.js';
import { type OffsetConfig, OffsetPaginator } from './offset.js';
import { type PageNumberConfig, PageNumberPaginator } from './page-number.js';
import { type SinglePageConfig, SinglePagePaginator } from './single-page.js';

/** Config of every strategy that needs no runtime context (all but `auto`). */
export type StaticPaginatorConfig =
  | PageNumberConfig
  | OffsetConfig
  | CursorConfig
  | JsonLinkConfig
  | HeaderLinkConfig
  | HeaderCursorConfig
  | SinglePageConfig;

/** Builds a strategy from its config; each constructor validates its own options. */
export function buildStrategy(config: StaticPaginatorConfig): Paginator {
  switch (config.type) {
    case 'page_number':
      return new PageNumberPaginator(withoutType(config));
    case 'offset':
      return new OffsetPaginator(withoutType(config));
    case 'cursor':
    case 'json_response_cursor':
      return new CursorPaginator(withoutType(config));
    case 'json_link':
      return new JsonLinkPaginator(withoutType(config));
    case 'header_link':
      return new HeaderLinkPaginator(withoutType(config));
    case 'header_cursor':
      return new HeaderCursorPaginator(withoutType(config));
    case 'single_page':
      return new SinglePagePaginator();
    default:
      throw new PaginatorConfigError([
        {
          path: ['type'],
          message: `cannot build a paginator of type ${JSON.stringify((config as { type: unknown }).type)} here`,
        },
      ]);
  }
}

function withoutType<C extends { type: unknown }>(config: C): Omit<C, 'type'> {
  const { type: _type, ...options } = config;
  return options;
}
