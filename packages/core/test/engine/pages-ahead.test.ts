import type { ServerResponse } from 'node:http';
import type { PageNumberConfig } from '@siphon/paginators';
import { describe, expect, it } from 'vitest';
import type { ClientConfig } from '../../src/config/types.js';
import type { Page } from '../../src/contracts.js';
import { HttpError } from '../../src/errors/http-error.js';
import type { ExtractEvent } from '../../src/events.js';
import { engineFixture, itemsConfig } from '../helpers/engine-fixture.js';
import { makeRecords, type Route } from '../helpers/fake-api.js';
import { sendJson } from '../helpers/http-server.js';

const { api, source } = engineFixture();

async function collect(pages: AsyncIterable<Page>): Promise<Page[]> {
  const out: Page[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

/** Resolves once `condition` holds, checking every few ms (the machine may be slow: no deadline here). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

const pageOf = (url: URL) => Number(url.searchParams.get('page') ?? '1');

/**
 * A page-number list of `total` records, `per_page` at a time, whose answers the test can hold:
 * `answer(page, send)` decides when (or whether) `send()` goes out. Requests the client gives up
 * on before an answer are listed in `abandoned`.
 */
function heldList(
  total: number,
  answer: (page: number, send: () => void, res: ServerResponse) => void = (_p, send) => send(),
) {
  const records = makeRecords(total);
  const answered: number[] = [];
  const abandoned: number[] = [];
  const route: Route = (_req, res, url) => {
    const page = pageOf(url);
    const perPage = Number(url.searchParams.get('per_page') ?? '2');
    res.on('close', () => {
      if (!res.writableFinished) abandoned.push(page);
    });
    answer(
      page,
      () => {
        if (res.destroyed) return;
        const slice = records.slice((page - 1) * perPage, page * perPage);
        sendJson(res, 200, { items: slice, has_more: page * perPage < records.length });
        answered.push(page);
      },
      res,
    );
  };
  return { route, answered, abandoned };
}

function config(url: string, extra: Partial<ClientConfig> = {}, paginator: Partial<PageNumberConfig> = {}) {
  return itemsConfig(url, {
    client: extra,
    resource: { primary_key: 'id' },
    endpoint: { paginator: { type: 'page_number', limit: 2, ...paginator } },
  });
}

const ids = (pages: Page[]) => pages.flatMap((p) => p.records.map((r) => r.id));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

describe('pages ahead', () => {
  it('writes pages in order, with the same records and checkpoints as one page at a time, when later pages answer first', async () => {
    // Every third page is held until the page after it has been answered: answers come out of order.
    const list = heldList(20, (page, send) => {
      if (page % 3 !== 0) return send();
      void until(() => list.answered.includes(page + 1)).then(send);
    });
    const server = await api({ '/items': list.route });
    const ahead = await collect(
      source(config(server.url, { pages_ahead: 4 })).resources[0]!.read({ runId: 'r' }),
    );
    expect(list.answered.indexOf(4)).toBeLessThan(list.answered.indexOf(3));
    expect(server.maxInFlight).toBeGreaterThanOrEqual(2);

    const serialServer = await api({ '/items': heldList(20).route });
    const serial = await collect(
      source(config(serialServer.url, { pages_ahead: 1 })).resources[0]!.read({ runId: 'r' }),
    );
    expect(ids(ahead)).toEqual(range(1, 20));
    const shape = (pages: Page[]) =>
      pages.map((p) => ({ index: p.index, ids: p.records.map((r) => r.id), state: p.state }));
    expect(shape(ahead)).toEqual(shape(serial));
    expect(serialServer.maxInFlight).toBe(1);
  });

  it.each([
    ['left unanswered', 'held'],
    ['answered 400 (out of range)', 400],
    ['answered 500 (retried until dropped)', 500],
  ] as const)(
    'stops at the end when the pages sent past it are %s: no extra records, no error',
    async (_what, pastEnd) => {
      // 7 records, 2 a page: page 4 is short and ends the walk. It is answered only once pages 5 and
      // 6, asked for ahead, have been seen (and answered, unless held; a 500 at least twice).
      const seen: number[] = [];
      const list = heldList(7, (page, send, res) => {
        seen.push(page);
        if (page < 4) return send();
        if (page === 4) {
          const answers = (p: number) => list.answered.filter((a) => a === p).length;
          const ready =
            pastEnd === 'held'
              ? () => seen.includes(5) && seen.includes(6)
              : () => answers(5) >= (pastEnd === 500 ? 2 : 1) && answers(6) >= 1;
          return void until(ready).then(send);
        }
        if (pastEnd !== 'held') {
          sendJson(res, pastEnd, { error: 'page out of range' });
          list.answered.push(page);
        }
      });
      const server = await api({ '/items': list.route });
      const events: ExtractEvent[] = [];
      const pages = await collect(
        source(config(server.url), { events: (e) => events.push(e) }).resources[0]!.read(),
      );
      expect(ids(pages)).toEqual(range(1, 7));
      expect(pages.at(-1)!.state.checkpoint).toMatchObject({ pages: 4, records: 7, done: true });
      expect(events.filter((e) => e.type === 'engine.resource_failed')).toEqual([]);
      expect(events.find((e) => e.type === 'engine.resource_finished')).toMatchObject({
        pages: 4,
        records: 7,
      });
      const pastTheEnd = server.requests.map((r) => pageOf(new URL(r.url, server.url))).filter((p) => p > 4);
      expect(new Set(pastTheEnd)).toEqual(new Set([5, 6]));
      // Held ones are given up on by the client, not left hanging.
      if (pastEnd === 'held') await until(() => list.abandoned.length === 2);
    },
  );

  it('stops where has_more_path says so, ignoring the pages asked for after it', async () => {
    // Page 4 says has_more false; it is answered once page 5, asked for ahead, got its 404.
    const list = heldList(8, (page, send, res) => {
      if (page < 4) return send();
      if (page === 4) return void until(() => list.answered.includes(5)).then(send);
      sendJson(res, 404, { error: 'no such page' });
      list.answered.push(page);
    });
    const server = await api({ '/items': list.route });
    const pages = await collect(
      source(config(server.url, {}, { base_page: 1, has_more_path: 'has_more' })).resources[0]!.read(),
    );
    expect(ids(pages)).toEqual(range(1, 8));
    expect(server.requests.some((r) => r.url.includes('page=5'))).toBe(true);
  });

  it('an error on a page before the end fails the resource as it does one page at a time', async () => {
    const list = heldList(10, (page, send, res) => {
      if (page === 3) return sendJson(res, 400, { error: 'bad page' });
      send();
    });
    const server = await api({ '/items': list.route });
    const events: ExtractEvent[] = [];
    const got: Page[] = [];
    const error = await (async () => {
      for await (const page of source(config(server.url), {
        events: (e) => events.push(e),
      }).resources[0]!.read())
        got.push(page);
    })().catch((e: unknown) => e);
    expect(HttpError.isInstance(error)).toBe(true);
    expect((error as HttpError).message).toMatch(/HTTP 400/);
    expect((error as HttpError).url).toContain('page=3');
    expect(ids(got)).toEqual(range(1, 4));
    expect(events.filter((e) => e.type === 'engine.resource_failed')).toHaveLength(1);
  });

  it.each(['the consumer stops reading', 'the run is aborted'])(
    'aborts the requests in flight when %s',
    async (how) => {
      // Pages from 4 on are never answered: they stay in flight until the client gives up on them.
      const list = heldList(40, (page, send) => {
        if (page < 4) send();
      });
      const server = await api({ '/items': list.route });
      const abort = new AbortController();
      const iterator = source(config(server.url, { pages_ahead: 3 }))
        .resources[0]!.read({ signal: abort.signal })
        [Symbol.asyncIterator]();
      for (let i = 0; i < 3; i++) expect((await iterator.next()).done).toBe(false);
      await until(() => server.requests.length === 6);
      if (how === 'the run is aborted') {
        abort.abort(new Error('stop'));
        await expect(iterator.next()).rejects.toThrow('stop');
      } else {
        await iterator.return?.();
      }
      await until(() => list.abandoned.length === 3);
      expect(list.abandoned.sort()).toEqual([4, 5, 6]);
    },
  );

  it('resumes from a checkpoint with pages ahead: every record once, in order', async () => {
    const server = await api({ '/items': heldList(21).route });
    const cfg = config(server.url, { pages_ahead: 4 });
    const committed: Page[] = [];
    for await (const page of source(cfg).resources[0]!.read({ runId: 'crashed' })) {
      committed.push(page);
      if (committed.length === 5) break; // the process "dies" after five committed pages
    }
    const resumed = await collect(
      source(cfg).resources[0]!.read({ state: committed[4]!.state, runId: 'next' }),
    );
    expect(ids([...committed, ...resumed])).toEqual(range(1, 21));
    expect(resumed.map((p) => p.index)).toEqual([6, 7, 8, 9, 10, 11]);
    expect(resumed[0]!.state.checkpoint?.run_id).toBe('crashed');
  });

  it('stays within max_concurrency', async () => {
    const list = heldList(60, (_page, send) => void setTimeout(send, 5));
    const server = await api({ '/items': list.route });
    const pages = await collect(
      source(config(server.url, { pages_ahead: 8, max_concurrency: 2 })).resources[0]!.read(),
    );
    expect(ids(pages)).toEqual(range(1, 60));
    expect(server.maxInFlight).toBeLessThanOrEqual(2);
  });

  it('stays within the rate budget: a request over it waits, ahead or not', async () => {
    const server = await api({ '/items': heldList(40).route });
    const src = source(
      config(server.url, { pages_ahead: 4, rate_limit: { requests: 3, interval_seconds: 3600 } }),
    );
    const iterator = src.resources[0]!.read()[Symbol.asyncIterator]();
    // Pages 1 and 2 one at a time, then 3 and 4 ahead: only 3 fits the budget of 3 an hour.
    for (let i = 0; i < 3; i++) expect((await iterator.next()).done).toBe(false);
    expect(server.requests.map((r) => pageOf(new URL(r.url, server.url)))).toEqual([1, 2, 3]);
    await iterator.return?.();
    expect(server.requests).toHaveLength(3);
  });
});
