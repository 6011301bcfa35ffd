import { describe, expect, it } from 'vitest';
import type { ResourceState } from '../../src/contracts.js';
import { runPipeline } from '../../src/engine/run-pipeline.js';
import type { restApiSource } from '../../src/engine/source.js';
import type { ExtractEvent } from '../../src/events.js';
import { MemorySink } from '../../src/sinks/memory-sink.js';
import { engineFixture, itemsConfig } from '../helpers/engine-fixture.js';
import { makeRecords } from '../helpers/fake-api.js';
import { sendJson, type TestServer } from '../helpers/http-server.js';

/** Each page of a run is fetched once, and what a run skips is said once, not per request. */

const fixture = engineFixture();
const { api } = fixture;

function source(config: Parameters<typeof restApiSource>[0], events: ExtractEvent[]) {
  return fixture.source(config, { events: (e) => events.push(e) });
}

/** Requests by path and query, to spot any URL asked for twice. */
function counts(server: TestServer): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of server.requests) out.set(r.url, (out.get(r.url) ?? 0) + 1);
  return out;
}

describe('each page of a run is fetched once', () => {
  it('a parent read by itself and by its child in one run: 13 pages, 13 requests; ignored 404s in one line', async () => {
    const users = makeRecords(13, (i) => ({ name: `user ${i + 1}`, team: { id: i % 3 } }));
    const server = await api({
      '/users': (_q, res, url) => {
        const page = Number(url.searchParams.get('page') ?? '1');
        sendJson(res, 200, users.slice(page - 1, page));
      },
      ...Object.fromEntries(
        users
          .filter((u) => Number(u.id) % 2 === 1)
          .map((u) => [`/users/${u.id}/usage`, (_q, res) => sendJson(res, 200, [{ id: `u${u.id}` }])]),
      ),
    });
    const events: ExtractEvent[] = [];
    const src = source(
      {
        client: { base_url: server.url },
        resources: [
          {
            name: 'users',
            primary_key: 'id',
            endpoint: {
              path: 'users',
              paginator: { type: 'page_number', base_page: 1, total_path: null, stop_after_empty_page: true },
            },
          },
          {
            name: 'usage',
            endpoint: {
              path: 'users/{resources.users.id}/usage',
              paginator: 'single_page',
              response_actions: [{ status_code: 404, action: 'ignore' }],
            },
            include_from_parent: ['name'],
          },
        ],
      },
      events,
    );
    const sink = new MemorySink();
    await runPipeline({ source: src, sink, pipeline: 'p', concurrency: 4 });

    // 13 pages of users and the empty 14th that ends them (asked twice to confirm), plus one
    // request per user for its usage: no user page twice. Pages 15 and 16 may have been asked
    // for ahead (pages_ahead 3) before the 14th came back empty; once at most.
    const seen = counts(server);
    const userPages = [...seen].filter(([url]) => url.startsWith('/users?'));
    expect(userPages.filter(([, n]) => n > 1).map(([url]) => url)).toEqual(['/users?page=14']);
    const pageNumbers = userPages.map(([url]) => Number(new URL(url, server.url).searchParams.get('page')));
    expect(pageNumbers.filter((n) => n <= 14).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 14 }, (_, i) => i + 1),
    );
    const ahead = pageNumbers.filter((n) => n > 14);
    expect(ahead.every((n) => n === 15 || n === 16)).toBe(true);
    expect([...seen].filter(([url]) => url.includes('/usage')).every(([, n]) => n === 1)).toBe(true);
    expect(server.requests).toHaveLength(15 + ahead.length + 13);

    const usage = sink.recordsOf('usage');
    expect(usage).toHaveLength(7);
    expect(usage[0]).toEqual({ id: 'u1', _users_name: 'user 1' });

    const logs = events.filter((e) => e.type === 'engine.log' && e.level !== 'debug');
    expect(logs).toEqual([
      {
        type: 'engine.log',
        level: 'info',
        resource: 'usage',
        message: 'ignored 6 HTTP 404 responses (response_actions)',
      },
    ]);
  });

  it('an incremental run that finds nothing new asks once and neither warns nor retries', async () => {
    const server = await api({ '/items': (_q, res) => sendJson(res, 200, { items: [] }) });
    const events: ExtractEvent[] = [];
    const src = source(
      itemsConfig(server.url, {
        endpoint: {
          paginator: 'single_page',
          incremental: { cursor_path: 'updated_at', initial_value: '2024-01-01', start_param: 'since' },
        },
      }),
      events,
    );
    const state: ResourceState = {
      incremental: { default: { last_value: '2024-02-01', initial_value: '2024-01-01' } },
    };
    const pages = [];
    for await (const page of src.resources[0]!.read({ state })) pages.push(page);
    expect(server.requests.map((r) => r.url)).toEqual(['/items?since=2024-02-01']);
    expect(
      events.filter((e) => e.type === 'http.retry' || (e.type === 'engine.log' && e.level !== 'debug')),
    ).toEqual([]);
    expect(pages.flatMap((p) => p.records)).toEqual([]);
  });

  it('a json_link walk asks for each link once, the final one included', async () => {
    const server = await api({
      '/things': (_q, res, url) => {
        const page = Number(url.searchParams.get('page') ?? '1');
        const next = page < 3 ? `${server.url}/things?page=${page + 1}` : null;
        // The final link answers an empty list, as many APIs do.
        sendJson(res, 200, { data: page < 3 ? [{ id: page }] : [], next });
      },
    });
    const events: ExtractEvent[] = [];
    const src = source(
      {
        client: { base_url: server.url },
        resources: [
          {
            name: 'things',
            endpoint: {
              path: 'things',
              data_selector: 'data',
              paginator: { type: 'json_link', next_url_path: 'next' },
            },
          },
        ],
      },
      events,
    );
    await runPipeline({ source: src, sink: new MemorySink(), pipeline: 'p' });
    expect(server.requests.map((r) => r.url)).toEqual(['/things', '/things?page=2', '/things?page=3']);
  });
});

describe('facts about the seed are said once', () => {
  it('paginator defaults are config notes (for `check`), at debug level during a run', async () => {
    const server = await api({ '/a': (_q, res) => sendJson(res, 200, { items: [{ id: 1 }], next: null }) });
    const events: ExtractEvent[] = [];
    const cursor = { type: 'cursor' as const, cursor_path: 'next', cursor_param: 'after', limit: 50 };
    const src = source(
      {
        client: { base_url: server.url, paginator: cursor },
        resources: [
          { name: 'a', endpoint: { path: 'a', data_selector: 'items' } },
          { name: 'b', endpoint: { path: 'a', data_selector: 'items' } },
        ],
      },
      events,
    );
    expect(src.configNotes()).toEqual([
      'paginator "cursor": limit_param not set, sending the page size as "limit" (resources a, b)',
    ]);
    await runPipeline({ source: src, sink: new MemorySink(), pipeline: 'p' });
    expect(events.filter((e) => e.type === 'engine.log' && e.level !== 'debug')).toEqual([]);
  });
});
