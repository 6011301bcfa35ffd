import { STATUS_CODES } from 'node:http';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

const JSON_TYPE = 'application/json;charset=UTF-8';

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': JSON_TYPE, ...headers }, body: JSON.stringify(value) };
}

const COMMA = Buffer.from(',');

/**
 * `{...before, "<key>": [records], ...after}` as UTF-8 bytes. Records are serialised one by
 * one: a single non-ASCII character would otherwise turn the whole page into a two-byte
 * string, and serialising plus encoding a page was the sandbox's main cost.
 */
export function jsonListReply(
  before: Record<string, unknown>,
  key: string,
  records: readonly unknown[],
  after: Record<string, unknown>,
): Reply {
  const opening = JSON.stringify(before).slice(0, -1);
  const head = `${opening.length > 1 ? `${opening},` : opening}${JSON.stringify(key)}:[`;
  const parts: Buffer[] = [Buffer.from(head)];
  for (let i = 0; i < records.length; i++) {
    if (i > 0) parts.push(COMMA);
    parts.push(Buffer.from(JSON.stringify(records[i])));
  }
  parts.push(Buffer.from(`],${JSON.stringify(after).slice(1)}`));
  return { status: 200, headers: { 'content-type': JSON_TYPE }, body: Buffer.concat(parts) };
}

export function statusText(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

/** What a proxy in front of an API sends when the upstream is down — with status 200. */
export function htmlErrorPage(): Reply {
  return {
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body:
      '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n' +
      '<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n',
  };
}
