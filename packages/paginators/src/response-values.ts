import { PaginatorResponseError } from './errors/paginator-response-error.js';
import { type CompiledPath, compilePath } from './json-path/compile-path.js';
import { shownUrl, truncate } from './redact.js';
import type { PageResponse } from './types.js';

/** A configured path into the response body, compiled once. */
export interface ResponseField {
  /** The config key it came from, for messages, e.g. `total_path`. */
  option: string;
  path: string;
  read: CompiledPath;
}

export function responseField(option: string, path: string | undefined): ResponseField | undefined {
  return path === undefined ? undefined : { option, path, read: compilePath(path) };
}

/** A count such as a total: a non-negative integer, or a string holding one. */
export function readCount(field: ResponseField, response: PageResponse): number {
  const value = field.read(response.body);
  const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof number === 'number' && Number.isInteger(number) && number >= 0) return number;
  throw new PaginatorResponseError(
    `${field.option} ${JSON.stringify(field.path)} ${found(value)}; expected a non-negative integer`,
    shownUrl(response.url),
  );
}

/** A "more pages" flag: a boolean, or `"true"`/`"false"`, or 1/0. */
export function readFlag(field: ResponseField, response: PageResponse): boolean {
  const value = field.read(response.body);
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim()))
    return value.trim().toLowerCase() === 'true';
  throw new PaginatorResponseError(
    `${field.option} ${JSON.stringify(field.path)} ${found(value)}; expected a boolean`,
    shownUrl(response.url),
  );
}

function found(value: unknown): string {
  if (value === undefined) return 'is missing from the response';
  const shown =
    typeof value === 'string' ? JSON.stringify(truncate(value, 40)) : truncate(JSON.stringify(value), 40);
  return `holds ${shown}`;
}
