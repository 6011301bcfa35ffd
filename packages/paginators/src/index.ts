export {
  autoConfigSchema,
  PAGINATOR_TYPES,
  type PaginatorConfig,
  type PaginatorType,
  paginatorConfigSchema,
  paginatorSettingSchema,
  paginatorTypeSchema,
} from './config/schema.js';
export {
  createPaginator,
  isPaginator,
  type PaginatorContext,
  paginatorDefaultNotes,
} from './create-paginator.js';
export { type Detection, detectPaginator } from './detect.js';
export { CheckpointError } from './errors/checkpoint-error.js';
export { DataSelectorError } from './errors/data-selector-error.js';
export { JsonPathError } from './errors/json-path-error.js';
export { PaginationLoopError } from './errors/pagination-loop-error.js';
export type { ConfigIssue } from './errors/paginator-config-error.js';
export { PaginatorConfigError } from './errors/paginator-config-error.js';
export { PaginatorError } from './errors/paginator-error.js';
export { PaginatorResponseError } from './errors/paginator-response-error.js';
export {
  type CompiledPath,
  compileFieldPath,
  compilePath,
  fieldPathKeys,
  readField,
} from './json-path/compile-path.js';
export type { Segment } from './json-path/segments.js';
export { findLink, parseLinkHeader, type WebLink } from './link-header.js';
export { type GuardContext, guardPaginator, requestKey } from './loop-guard.js';
export { selectRecords } from './select-records.js';
export { type AutoOptions, AutoPaginator } from './strategies/auto.js';
export {
  type CursorConfig,
  type CursorOptions,
  CursorPaginator,
  cursorConfigSchema,
  DEFAULT_CURSOR_PATH,
} from './strategies/cursor.js';
export {
  type HeaderCursorConfig,
  type HeaderCursorOptions,
  HeaderCursorPaginator,
  headerCursorConfigSchema,
} from './strategies/header-cursor.js';
export {
  type HeaderLinkConfig,
  type HeaderLinkOptions,
  HeaderLinkPaginator,
  headerLinkConfigSchema,
} from './strategies/header-link.js';
export {
  type JsonLinkConfig,
  type JsonLinkOptions,
  JsonLinkPaginator,
  jsonLinkConfigSchema,
} from './strategies/json-link.js';
export {
  type OffsetConfig,
  type OffsetOptions,
  OffsetPaginator,
  offsetConfigSchema,
} from './strategies/offset.js';
export {
  type PageNumberConfig,
  type PageNumberOptions,
  PageNumberPaginator,
  pageNumberConfigSchema,
} from './strategies/page-number.js';
export type { PaginatorBound } from './strategies/range-rules.js';
export {
  type SinglePageConfig,
  SinglePagePaginator,
  singlePageConfigSchema,
} from './strategies/single-page.js';
export type { PageResponse, Paginator, RequestSpec } from './types.js';
