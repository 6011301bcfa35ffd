import { z } from 'zod';
import { cursorConfigSchema } from '../strategies/cursor.js';
import { headerCursorConfigSchema } from '../strategies/header-cursor.js';
import { headerLinkConfigSchema } from '../strategies/header-link.js';
import { jsonLinkConfigSchema } from '../strategies/json-link.js';
import { offsetConfigSchema } from '../strategies/offset.js';
import { pageNumberConfigSchema } from '../strategies/page-number.js';
import { singlePageConfigSchema } from '../strategies/single-page.js';
import { strictConfig } from './fields.js';

export const autoConfigSchema = strictConfig(z.literal('auto'), {});

/** Every `type` a paginator config may have, in the order they are documented. */
export const PAGINATOR_TYPES = [
  'auto',
  'single_page',
  'page_number',
  'offset',
  'cursor',
  'json_response_cursor',
  'json_link',
  'header_link',
  'header_cursor',
] as const;

export type PaginatorType = (typeof PAGINATOR_TYPES)[number];

const allowedTypes = PAGINATOR_TYPES.join(', ');

function unknownTypeMessage(input: unknown): string {
  const type = input !== null && typeof input === 'object' ? (input as { type?: unknown }).type : undefined;
  return type === undefined
    ? `missing paginator "type"; expected one of: ${allowedTypes}`
    : `unknown paginator type ${JSON.stringify(type)}; expected one of: ${allowedTypes}`;
}

/**
 * A paginator config in dlt's shape, validated: a union on `type` of strict objects, so an unknown
 * type, an unknown key or a value of the wrong type is an error naming the key and what is allowed.
 */
export const paginatorConfigSchema = z.discriminatedUnion(
  'type',
  [
    autoConfigSchema,
    singlePageConfigSchema,
    pageNumberConfigSchema,
    offsetConfigSchema,
    cursorConfigSchema,
    jsonLinkConfigSchema,
    headerLinkConfigSchema,
    headerCursorConfigSchema,
  ],
  {
    error: (issue) => {
      if (issue.code === 'invalid_union') return unknownTypeMessage(issue.input);
      if (issue.code === 'invalid_type') {
        return `expected a paginator config object such as {"type": "page_number"}, or a type name (${allowedTypes})`;
      }
      return undefined;
    },
  },
);

export type PaginatorConfig = z.input<typeof paginatorConfigSchema>;

/** A bare type name, the dlt shorthand `paginator: "json_link"`. */
export const paginatorTypeSchema = z.enum(PAGINATOR_TYPES, {
  error: (issue) => unknownTypeMessage({ type: issue.input }),
});

/**
 * What a config may say for `paginator`: a type name or a config object. Both come out as a
 * config object. Custom `Paginator` instances are not data; pass them to `createPaginator` directly.
 */
export const paginatorSettingSchema = z.preprocess(
  (value) => (typeof value === 'string' ? { type: value } : value),
  paginatorConfigSchema,
);
