import { describe, expect, it } from 'vitest';
import type { Page } from '../../src/contracts.js';
import { runPipeline } from '../../src/engine/run-pipeline.js';
import type { ExtractEvent } from '../../src/events.js';
import { staticSecrets } from '../../src/secrets/providers.js';
import { MemorySink } from '../../src/sinks/memory-sink.js';
import { engineFixture, itemsConfig } from '../helpers/engine-fixture.js';
import { makeRecords, pageNumberList } from '../helpers/fake-api.js';
import { sendJson } from '../helpers/http-server.js';

const { api, source } = engineFixture();

async function collect(pages: AsyncIterable<Page>): Promise<Page[]> {
  const out: Page[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

describe('pagination and pages', () => {
  it('reads a page_number resource page by page with its state', async () => {
    const server = await api({ '/items': pageNumberList('items', makeRecords(5)) });
    const src = source(
      itemsConfig(server.url, {
        // One page at a time, so the requests are exactly those the walk needs (pages-ahead.test.ts).
        client: { pages_ahead: 1 },
        resource: { primary_key: 'id' },
        endpoint: {
          paginator: { type: 'page_number', page_param: 'page', limit_param: 'per_page', limit: 2 },
        },
      }),
    );
    const pages = await collect(src.resources[0]!.read({ runId: 'run-1' }));
    expect(pages.map((p) => p.records.map((r) => r.id))).toEqual([['1', '2'], ['3', '4'], ['5']]);
    expect(pages.map((p) => p.index)).toEqual([1, 2, 3]);
    expect(pages[0]!.url).toBe(`${server.url}/items?page=1&per_page=2`);
    expect(pages[0]!.state.checkpoint).toEqual({
      run_id: 'run-1',
      paginator: { page: 2 },
      pages: 1,
      records: 2,
    });
    expect(pages[2]!.state.checkpoint).toMatchObject({ pages: 3, done: true });
    expect(server.requests.map((r) => r.url)).toEqual([
      '/items?page=1&per_page=2',
      '/items?page=2&per_page=2',
      '/items?page=3&per_page=2',
    ]);
  });
});

describe('backpressure', () => {
  const slowConsumerSetup = async (prefetchPages: number) => {
    const server = await api({ '/items': pageNumberList('items', makeRecords(20)) });
    const src = source(
      {
        client: { base_url: server.url, paginator: { type: 'page_number', limit: 2 } },
        resources: [{ name: 'items', endpoint: { path: '/items', data_selector: 'items' } }],
      },
      { prefetchPages },
    );
    return { server, src };
  };

  it('fetches at most one page ahead of a slow consumer', async () => {
    const { server, src } = await slowConsumerSetup(1);
    const iterator = src.resources[0]!.read()[Symbol.asyncIterator]();
    await iterator.next();
    await new Promise((r) => setTimeout(r, 200));
    expect(server.requests).toHaveLength(2);
    await iterator.next();
    await new Promise((r) => setTimeout(r, 200));
    expect(server.requests).toHaveLength(3);
    await iterator.return?.();
  });

  it('fetches only on pull with prefetchPages 0', async () => {
    const { server, src } = await slowConsumerSetup(0);
    const iterator = src.resources[0]!.read()[Symbol.asyncIterator]();
    await iterator.next();
    await new Promise((r) => setTimeout(r, 200));
    expect(server.requests).toHaveLength(1);
    await iterator.return?.();
    await new Promise((r) => setTimeout(r, 50));
    expect(server.requests).toHaveLength(1);
  });
});

describe('resume from a checkpoint', () => {
  it('continues after the last committed page, without duplicates', async () => {
    const server = await api({ '/items': pageNumberList('items', makeRecords(9)) });
    const config = itemsConfig(server.url, {
      client: { pages_ahead: 1 },
      resource: { primary_key: 'id' },
      endpoint: { paginator: { type: 'page_number', limit: 2 } },
    });
    const first = source(config);
    const committed: Page[] = [];
    for await (const page of first.resources[0]!.read({ runId: 'crashed-run' })) {
      committed.push(page);
      if (committed.length === 2) break; // the process "dies" after two committed pages
    }
    const requestsBefore = server.requests.length;
    const resumed = await collect(
      source(config).resources[0]!.read({ state: committed[1]!.state, runId: 'run-2' }),
    );
    const ids = [...committed, ...resumed].flatMap((p) => p.records.map((r) => r.id));
    expect(ids).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(server.requests.slice(requestsBefore).map((r) => r.url)).toEqual([
      '/items?page=3&per_page=2',
      '/items?page=4&per_page=2',
      '/items?page=5&per_page=2',
    ]);
    expect(resumed.map((p) => p.index)).toEqual([3, 4, 5]);
    expect(resumed[0]!.state.checkpoint?.run_id).toBe('crashed-run');
  });

  it('reads nothing when the checkpoint was the last page', async () => {
    const server = await api({ '/items': pageNumberList('items', makeRecords(3)) });
    const src = source({
      client: { base_url: server.url },
      resources: [
        { name: 'items', endpoint: { path: '/items', paginator: { type: 'page_number', limit: 2 } } },
      ],
    });
    const pages = await collect(
      src.resources[0]!.read({
        state: { checkpoint: { run_id: 'r', paginator: { page: 2 }, pages: 2, done: true } },
      }),
    );
    expect(pages).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });
});

describe('incremental loading', () => {
  const updated = (i: number) => ({ updated_at: `2024-01-0${(i % 9) + 1}T10:00:00Z` });

  it('sends the start value, keeps the max cursor in state, and resumes from it with lag', async () => {
    const records = makeRecords(6, updated);
    const server = await api({
      '/items': (_req, res, url) => {
        const since = url.searchParams.get('since') ?? '';
        sendJson(res, 200, { items: records.filter((r) => r.updated_at >= since) });
      },
    });
    const config = {
      client: { base_url: server.url },
      resources: [
        {
          name: 'items',
          endpoint: {
            path: '/items',
            data_selector: 'items',
            paginator: 'single_page' as const,
            incremental: {
              cursor_path: 'updated_at',
              initial_value: '2024-01-03T00:00:00Z',
              start_param: 'since',
              lag: 3600,
            },
          },
        },
      ],
    };
    const [first] = await collect(source(config).resources[0]!.read());
    expect(server.requests[0]!.url).toBe('/items?since=2024-01-03T00%3A00%3A00Z');
    expect(first!.records.map((r) => r.id)).toEqual(['3', '4', '5', '6']);
    expect(first!.state.incremental).toEqual({
      default: { last_value: '2024-01-06T10:00:00Z', initial_value: '2024-01-03T00:00:00Z' },
    });
    await collect(source(config).resources[0]!.read({ state: { ...first!.state, checkpoint: null } }));
    expect(server.requests[1]!.url).toBe('/items?since=2024-01-06T09%3A00%3A00Z');
  });

  it('drops records before the start value and after end_value, and leaves state alone for a backfill', async () => {
    const server = await api({
      '/items': (_q, res) =>
        sendJson(
          res,
          200,
          makeRecords(9, (i) => ({ n: i + 1 })),
        ),
    });
    const [page] = await collect(
      source({
        client: { base_url: server.url },
        resources: [
          {
            name: 'items',
            endpoint: {
              path: '/items',
              paginator: 'single_page',
              incremental: { cursor_path: 'n', initial_value: 3, end_value: 6 },
            },
          },
        ],
      }).resources[0]!.read(),
    );
    expect(page!.records.map((r) => r.n)).toEqual([3, 4, 5]);
    expect(page!.state.incremental).toBeUndefined();
  });

  it('fails clearly when a record has no cursor value', async () => {
    const server = await api({ '/items': (_q, res) => sendJson(res, 200, [{ id: '1', n: 1 }, { id: '2' }]) });
    const read = source({
      client: { base_url: server.url },
      resources: [
        {
          name: 'items',
          endpoint: { path: '/items', paginator: 'single_page', incremental: { cursor_path: 'n' } },
        },
      ],
    }).resources[0]!.read();
    await expect(collect(read)).rejects.toThrow(
      'resource "items": record 2 of page 1 has no value at cursor_path "n" (set incremental.on_cursor_value_missing to "include" or "exclude" to allow that)',
    );
  });
});

describe('parent and child resources', () => {
  it('fills placeholders from each parent record, adds parent fields and keeps state per parent', async () => {
    const server = await api({
      '/users': (_q, res) =>
        sendJson(res, 200, {
          users: [
            { id: 7, login: 'ann' },
            { id: 9, login: 'bob' },
          ],
        }),
      '/users/7/orders': (_q, res) => sendJson(res, 200, { orders: [{ id: 'o1', at: 5 }] }),
      '/users/9/orders': (_q, res) =>
        sendJson(res, 200, {
          orders: [
            { id: 'o2', at: 8 },
            { id: 'o3', at: 9 },
          ],
        }),
    });
    const events: ExtractEvent[] = [];
    const src = source(
      {
        client: { base_url: server.url, paginator: 'single_page' },
        resources: [
          { name: 'users', selected: false, endpoint: { path: '/users', data_selector: 'users' } },
          {
            name: 'orders',
            include_from_parent: ['login'],
            endpoint: {
              path: '/users/{resources.users.id}/orders',
              data_selector: 'orders',
              incremental: { cursor_path: 'at' },
            },
          },
        ],
      },
      { events: (e) => events.push(e) },
    );
    expect(src.resources.map((r) => r.name)).toEqual(['orders']);
    expect(src.resources[0]!.dependsOn).toEqual(['users']);
    const pages = await collect(src.resources[0]!.read());
    expect(pages.flatMap((p) => p.records)).toEqual([
      { id: 'o1', at: 5, _users_login: 'ann' },
      { id: 'o2', at: 8, _users_login: 'bob' },
      { id: 'o3', at: 9, _users_login: 'bob' },
    ]);
    expect(pages[1]!.state.incremental).toEqual({ 'id=7': { last_value: 5 }, 'id=9': { last_value: 9 } });
    expect(pages[1]!.state.checkpoint).toMatchObject({ parent_index: 1, done: true });
    // The parent read is internal: no page events for it.
    expect(
      events.filter((e) => e.type === 'engine.page_fetched').map((e) => (e as { resource: string }).resource),
    ).toEqual(['orders', 'orders']);
  });

  it('ignores a child response by status code (response_actions)', async () => {
    const server = await api({
      '/users': (_q, res) => sendJson(res, 200, [{ id: 1 }, { id: 2 }]),
      '/users/1/usage': (_q, res) => sendJson(res, 200, [{ id: 'u1' }]),
    });
    const src = source({
      client: { base_url: server.url, paginator: 'single_page' },
      resources: [
        'users',
        {
          name: 'usage',
          endpoint: {
            path: 'users/{resources.users.id}/usage',
            response_actions: [{ status_code: 404, action: 'ignore' }],
          },
        },
      ],
    });
    const usage = src.resources.find((r) => r.name === 'usage')!;
    expect((await collect(usage.read())).flatMap((p) => p.records)).toEqual([{ id: 'u1' }]);
  });
});

describe('records', () => {
  it('applies declarative and function processing steps in order', async () => {
    const server = await api({
      '/items': (_q, res) =>
        sendJson(res, 200, [
          { id: '1', status: 'active', secret_note: 'x', meta: { a: 1 } },
          { id: '2', status: 'archived' },
          { id: '3', status: 'active', meta: { a: 3 } },
        ]),
    });
    const src = source({
      client: { base_url: server.url },
      resources: [
        {
          name: 'items',
          endpoint: { path: '/items', paginator: 'single_page' },
          processing_steps: [
            { filter: { path: 'status', equals: 'active' } },
            { map: { drop: ['secret_note'], rename: { 'meta.a': 'a' }, set: { source: 'api' } } },
            { map: (r) => ({ ...r, id: Number(r.id) }) },
            { filter: (r) => r.id !== 3 },
          ],
        },
      ],
    });
    const [page] = await collect(src.resources[0]!.read());
    expect(page!.records).toEqual([{ id: 1, status: 'active', meta: {}, a: 1, source: 'api' }]);
  });

  it('names resource, URL, status and body keys when the data_selector finds nothing', async () => {
    const server = await api({
      '/items': (_q, res) => sendJson(res, 200, { code: 0, data: [], page_context: {} }),
    });
    const src = source({
      client: { base_url: server.url },
      resources: [
        { name: 'items', endpoint: { path: '/items', data_selector: 'items', paginator: 'single_page' } },
      ],
    });
    const error = await collect(src.resources[0]!.read()).catch((e: unknown) => e as Error);
    expect((error as Error).message).toBe(
      `resource "items": GET ${server.url}/items: HTTP 200, but data_selector "items" selected nothing; top-level keys: code, data, page_context; body starts: {"code":0,"data":[],"page_context":{}}`,
    );
  });

  it('stops a cursor that repeats with a loop error naming the resource, after emitting the good page', async () => {
    const server = await api({
      '/m': (_q, res, url) =>
        sendJson(res, 200, {
          metrics: [{ id: url.searchParams.get('page') ?? '1' }],
          meta: { next_page: 2 },
        }),
    });
    const src = source({
      client: { base_url: server.url },
      resources: [
        {
          name: 'metrics',
          endpoint: {
            path: '/m',
            data_selector: 'metrics',
            paginator: { type: 'cursor', cursor_param: 'page', cursor_path: 'response.meta.next_page' },
          },
        },
      ],
    });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const page of src.resources[0]!.read()) seen.push(...page.records.map((r) => String(r.id)));
    })().catch((e: unknown) => e as Error);
    expect(seen).toEqual(['1', '2']);
    expect((error as Error).message).toMatch(
      /^resource "metrics": the paginator asked twice for the same page \(page=2\)/,
    );
  });

  it('follows a next link to another host without sending credentials there', async () => {
    const other = await api({
      '/page2': (_q, res) => sendJson(res, 200, { items: [{ id: 'b' }], next: null }),
    });
    const main = await api({
      '/items': (_q, res) => sendJson(res, 200, { items: [{ id: 'a' }], next: `${other.url}/page2` }),
    });
    const { dlt } = await import('../../src/secrets/dlt.js');
    const src = source(
      itemsConfig(main.url, {
        client: {
          auth: { type: 'bearer', token: dlt.secrets.api_key! },
          allowed_hosts: [new URL(other.url).host],
        },
        endpoint: { paginator: { type: 'json_link', next_url_path: 'next' } },
      }),
      { secrets: staticSecrets({ api_key: 'tok-abcdef' }) },
    );
    const pages = await collect(src.resources[0]!.read());
    expect(pages.flatMap((p) => p.records.map((r) => r.id))).toEqual(['a', 'b']);
    expect(main.requests[0]!.headers.authorization).toBe('Bearer tok-abcdef');
    expect(other.requests[0]!.headers.authorization).toBeUndefined();
  });
});

describe('runPipeline', () => {
  it('writes every selected resource, stores final state and reports failures together', async () => {
    const server = await api({
      '/a': pageNumberList('a', makeRecords(3)),
      '/b': (_q, res) => sendJson(res, 400, { message: 'bad request' }),
      '/c': pageNumberList('c', makeRecords(1)),
    });
    const src = source({
      client: { base_url: server.url, paginator: { type: 'page_number', limit: 2 } },
      resources: [
        { name: 'a', endpoint: { path: '/a', data_selector: 'a' } },
        { name: 'b', endpoint: { path: '/b' } },
        { name: 'c', endpoint: { path: '/c', data_selector: 'c' } },
      ],
    });
    const sink = new MemorySink();
    const error = await runPipeline({ source: src, sink, pipeline: 'p', runId: 'run-9' }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).name).toBe('PipelineError');
    expect((error as Error).message).toMatch(
      /^1 resource failed:\n {2}- b: resource "b": GET .*\/b\?page=1&per_page=2: HTTP 400/,
    );
    expect(sink.recordsOf('a').map((r) => r.id)).toEqual(['1', '2', '3']);
    expect(sink.recordsOf('c').map((r) => r.id)).toEqual(['1']);
    expect(sink.results.get('a')).toEqual({ resource: 'a', pages: 2, records: 3, complete: true });
    expect(sink.aborted.has('b')).toBe(true);
    const state = await sink.stateStore().get({ pipeline: 'p', source: 'rest_api', resource: 'a' });
    expect(state).toMatchObject({ checkpoint: null, last_run: { run_id: 'run-9', records: 3 } });
  });

  it('resumes a failed resource on the next run from the state the sink committed', async () => {
    let failPage3 = true;
    const records = makeRecords(7);
    const list = pageNumberList('items', records);
    const server = await api({
      '/items': (req, res, url) => {
        if (url.searchParams.get('page') === '3' && failPage3) sendJson(res, 404, { message: 'gone' });
        else list(req, res, url);
      },
    });
    const config = {
      client: { base_url: server.url, paginator: { type: 'page_number' as const, limit: 2 } },
      resources: [{ name: 'items', primary_key: 'id', endpoint: { path: '/items', data_selector: 'items' } }],
    };
    const sink = new MemorySink();
    await expect(runPipeline({ source: source(config), sink, pipeline: 'p' })).rejects.toThrow(
      '1 resource failed',
    );
    failPage3 = false;
    const results = await runPipeline({ source: source(config), sink, pipeline: 'p' });
    // Two pages read now, two before the failure: the run counts all 7 records, and says it resumed.
    expect(results).toEqual([{ resource: 'items', pages: 2, records: 7, complete: true, resumed: true }]);
    expect(sink.recordsOf('items').map((r) => r.id)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    const [stored] = await sink.stateStore().list();
    expect(stored?.state.last_run?.records).toBe(7);
  });

  it('runs parents before their children', async () => {
    const order: string[] = [];
    const server = await api({
      '/p': (_q, res) => sendJson(res, 200, [{ id: 1 }]),
      '/p/1/c': (_q, res) => sendJson(res, 200, [{ id: 'x' }]),
    });
    const src = source(
      {
        client: { base_url: server.url, paginator: 'single_page' },
        resources: [
          { name: 'c', endpoint: 'p/{resources.p.id}/c' },
          { name: 'p', endpoint: 'p' },
        ],
      },
      { events: (e) => (e.type === 'engine.resource_started' ? order.push(e.resource) : undefined) },
    );
    await runPipeline({ source: src, sink: new MemorySink(), pipeline: 'p', concurrency: 4 });
    expect(order).toEqual(['p', 'c']);
  });
});

describe('stale checkpoints and early stops', () => {
  it('starts over, with a warning, when the checkpoint does not fit the paginator', async () => {
    const server = await api({ '/items': pageNumberList('items', makeRecords(3)) });
    const events: ExtractEvent[] = [];
    const src = source(
      itemsConfig(server.url, { endpoint: { paginator: { type: 'page_number', limit: 2 } } }),
      {
        events: (e) => events.push(e),
      },
    );
    const pages = await collect(
      src.resources[0]!.read({
        state: { checkpoint: { run_id: 'old', paginator: { cursor: 'abc' }, pages: 4 } },
      }),
    );
    expect(pages.flatMap((p) => p.records.map((r) => r.id))).toEqual(['1', '2', '3']);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'engine.log',
        level: 'warn',
        message: expect.stringMatching(/^cannot resume from the checkpoint, reading from the start: /),
      }),
    );
  });

  it('does not report a failure when the consumer stops early', async () => {
    const server = await api({ '/items': pageNumberList('items', makeRecords(10)) });
    const events: ExtractEvent[] = [];
    const src = source(
      {
        client: { base_url: server.url, paginator: { type: 'page_number', limit: 2 } },
        resources: [{ name: 'items', endpoint: { path: '/items', data_selector: 'items' } }],
      },
      { events: (e) => events.push(e) },
    );
    for await (const page of src.resources[0]!.read()) if (page.index === 1) break;
    await new Promise((r) => setTimeout(r, 50));
    expect(events.filter((e) => e.type === 'engine.resource_failed')).toEqual([]);
  });
});
