import { randomUUID } from 'node:crypto';
import {
  createPaginator,
  PaginatorError,
  type RequestSpec,
  readField,
  selectRecords,
} from '@siphon/paginators';
import type { NormalizedEndpoint, NormalizedResource } from '../config/normalized.js';
import type { JsonRecord, Page, ReadOptions, ResourceState } from '../contracts.js';
import { HttpError } from '../errors/http-error.js';
import type { EventBus } from '../events.js';
import type { ApiClient, ApiResult } from '../http/api-client.js';
import { excerpt } from '../http/redact.js';
import type { Redaction } from '../redaction.js';
import { IncrementalCursor } from './incremental.js';
import { PagesAhead } from './pages-ahead.js';
import { compileSteps, type RecordPipeline } from './processing.js';
import { buildRequest } from './request-builder.js';
import { paramText } from './values.js';

/** What a reader needs from its source once secrets are resolved and the client is built. */
export interface ReaderRuntime {
  client: ApiClient;
  redactor: Redaction;
  events: EventBus;
  defaultPaginator: NormalizedEndpoint['paginator'];
  resourceNames: readonly string[];
  /** The resolved config of a resource by name (parents are read through their own readers). */
  reader(name: string): ResourceReader;
  resolved(name: string): NormalizedResource;
}

type Checkpoint = NonNullable<ResourceState['checkpoint']>;

interface Run {
  runId: string;
  pages: number;
  records: number;
  /** Responses ignored by `response_actions`, by HTTP status: reported once, at the end. */
  ignored: Map<number, number>;
  incremental: NonNullable<ResourceState['incremental']>;
  base: ResourceState;
}

interface Walk {
  key: string;
  resource: NormalizedResource;
  parent?: { name: string; record: JsonRecord; index: number };
  restore?: Checkpoint;
}

const isRecord = (value: unknown): value is JsonRecord =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const consumerStops = new WeakSet<object>();

/** The abort reason used when the consumer stops reading early: not a failure of the resource. */
export function consumerStopReason(): DOMException {
  const reason = new DOMException('the consumer stopped reading', 'AbortError');
  consumerStops.add(reason);
  return reason;
}

function isConsumerStop(reason: unknown): boolean {
  return typeof reason === 'object' && reason !== null && consumerStops.has(reason);
}

/** `_<parent>_<field>` as dlt names included parent fields, made safe for Avro. */
export function parentFieldName(parent: string, field: string): string {
  return `_${parent}_${field}`.replace(/[^A-Za-z0-9_]/g, '_');
}

/**
 * Reads one resource page by page, in order. Each page carries the state to persist once it is
 * written: incremental values so far and a checkpoint to resume from. Where the paginator can tell
 * the next requests in advance (`requestsAfter`), up to `pagesAhead` of them are in flight at once.
 */
export class ResourceReader {
  readonly name: string;
  /** Requests a walk may have in flight: 1 or less is one at a time. */
  readonly pagesAhead: number;
  readonly #runtime: () => Promise<ReaderRuntime>;
  #steps: RecordPipeline | undefined;
  /**
   * The records of this resource's complete read in run `runId`, cut to the fields its children
   * use: a child in the same run walks these instead of fetching every parent page again.
   */
  #forChildren: { runId: string; records: JsonRecord[] } | undefined;

  constructor(name: string, runtime: () => Promise<ReaderRuntime>, pagesAhead = 1) {
    this.name = name;
    this.#runtime = runtime;
    this.pagesAhead = pagesAhead;
  }

  async *pages(options: ReadOptions & { asParent?: boolean } = {}): AsyncGenerator<Page> {
    const runtime = await this.#runtime();
    const resource = runtime.resolved(this.name);
    const events = runtime.events;
    const quiet = options.asParent === true;
    const state: ResourceState = options.state ? structuredClone(options.state) : {};
    const checkpoint = state.checkpoint ?? undefined;
    const run: Run = {
      runId: checkpoint?.run_id ?? options.runId ?? randomUUID(),
      pages: checkpoint?.pages ?? 0,
      records: checkpoint?.records ?? 0,
      ignored: new Map(),
      incremental: { ...(state.incremental ?? {}) },
      base: state,
    };
    const started = performance.now();
    const shared = this.#forChildren;
    if (quiet && shared && options.runId === shared.runId) {
      // Read in full earlier in this run: its children walk those records, not the API again.
      events.emit({
        type: 'engine.log',
        level: 'debug',
        resource: this.name,
        message: `children reuse the ${shared.records.length} records read earlier in this run`,
      });
      yield { resource: this.name, index: 1, url: '', records: shared.records, state: {} };
      return;
    }
    // Kept for children only when this read sees every record: not resumed, not incremental.
    const keep =
      !quiet && options.runId && !checkpoint && !resource.incremental ? childFields(runtime, this.name) : [];
    const kept: JsonRecord[] | undefined = keep.length > 0 ? [] : undefined;
    if (!quiet) this.#forChildren = undefined;
    if (!quiet)
      events.emit({
        type: 'engine.resource_started',
        resource: this.name,
        resumed: checkpoint !== undefined,
      });
    try {
      if (!resource.parent) {
        for await (const page of this.#walk(runtime, run, options, {
          key: 'default',
          resource,
          ...(checkpoint ? { restore: checkpoint } : {}),
        })) {
          if (kept) for (const record of page.records) kept.push(pick(record, keep));
          yield page;
        }
      } else {
        const parentName = resource.parent.resource;
        let index = -1;
        for await (const parentPage of runtime.reader(parentName).pages({
          signal: options.signal,
          asParent: true,
          ...(options.runId ? { runId: options.runId } : {}),
        })) {
          for (const record of parentPage.records) {
            index++;
            const resumeAt = checkpoint?.parent_index ?? 0;
            if (checkpoint && index < resumeAt) continue;
            yield* this.#walk(runtime, run, options, {
              key: parentKey(resource.parent.fields, record),
              resource,
              parent: { name: parentName, record, index },
              ...(checkpoint && index === resumeAt ? { restore: checkpoint } : {}),
            });
          }
        }
      }
      if (kept && options.runId) this.#forChildren = { runId: options.runId, records: kept };
      if (!quiet) {
        for (const [status, count] of run.ignored) {
          events.emit({
            type: 'engine.log',
            level: 'info',
            resource: this.name,
            message: `ignored ${count} HTTP ${status} response${count === 1 ? '' : 's'} (response_actions)`,
          });
        }
        events.emit({
          type: 'engine.resource_finished',
          resource: this.name,
          pages: run.pages,
          records: run.records,
          durationMs: Math.round(performance.now() - started),
        });
      }
    } catch (error) {
      // The engine's error boundary: messages from paginators and processing steps quote URLs and
      // values from responses, which may carry credentials.
      if (error instanceof Error && !quiet) error.message = runtime.redactor.text(error.message);
      const consumerStopped = options.signal?.aborted === true && isConsumerStop(options.signal.reason);
      if (!quiet && !consumerStopped)
        events.emit({ type: 'engine.resource_failed', resource: this.name, error: error as Error });
      throw error;
    }
  }

  async *#walk(
    runtime: ReaderRuntime,
    run: Run,
    options: { signal?: AbortSignal | undefined; asParent?: boolean },
    walk: Walk,
  ): AsyncGenerator<Page> {
    const { resource, key, parent, restore } = walk;
    const signal = options.signal;
    const { client, redactor, events } = runtime;
    if (restore?.done) return;
    const previous = run.incremental[key];
    const cursor = resource.incremental
      ? new IncrementalCursor(resource.incremental, resource.name, previous, restore?.start_value)
      : undefined;
    const position = parent ? `record ${parent.index + 1}` : '';
    const built = buildRequest(resource, client, runtime.resourceNames, {
      ...(parent ? { parent: { name: parent.name, record: parent.record, position } } : {}),
      ...(cursor
        ? {
            incremental: {
              start_value: cursor.startValue,
              end_value: cursor.endValue,
              last_value: previous?.last_value,
            },
          }
        : {}),
    });
    const paginator = createPaginator(resource.endpoint.paginator ?? runtime.defaultPaginator, {
      resource: resource.name,
      // Facts about the config (defaults chosen), not news of this run: `check` says them once.
      log: (message) => events.emit({ type: 'engine.log', level: 'debug', resource: resource.name, message }),
    });
    if (restore) {
      try {
        paginator.restore(restore.paginator);
      } catch (error) {
        // A checkpoint the paginator cannot read (its config changed since): start the walk over
        // rather than block the resource until someone deletes its state.
        events.emit({
          type: 'engine.log',
          level: 'warn',
          resource: resource.name,
          message: `cannot resume from the checkpoint, reading from the start: ${(error as Error).message}`,
        });
      }
    }
    const steps = this.#compiledSteps(resource);
    const ignore = ignorePredicate(resource);
    const parentFields = parent ? includedParentFields(resource, parent) : undefined;

    const fetchPage = (request: RequestSpec, signal: AbortSignal | undefined) =>
      client.request({
        method: resource.endpoint.method,
        url: request.url,
        params: request.params,
        ...(request.json === undefined ? {} : { json: request.json }),
        headers: built.headers,
        resource: resource.name,
        ...(signal ? { signal } : {}),
        ...(ignore ? { ignore } : {}),
      });

    const ahead = new PagesAhead(fetchPage, signal);
    let request: RequestSpec | undefined = paginator.initRequest(built.spec);
    let previousHadRecords = false;
    let walkPages = 0;
    // APIs do serve an empty page by glitch (a lagging replica, say), so one is asked for once
    // more before it is believed: in the middle of a walk (its records would be lost, or the walk
    // would end early) and as the first page (the whole answer: believed, it would end every record
    // of a snapshot). Exempt: a child's first page (many parents have no children), an incremental
    // walk resuming from a stored cursor (nothing new is a normal answer), and the last page of a
    // link or cursor walk (the server says itself, with no next link or cursor, that it ends there).
    const resumesCursor = cursor !== undefined && previous !== undefined;
    const paginatorConfig = resource.endpoint.paginator ?? runtime.defaultPaginator;
    try {
      while (request) {
        signal?.throwIfAborted();
        let result = await ahead.take(request);
        let records = result.ignored
          ? []
          : this.#select(resource, result, redactor.url(result.url), redactor);
        const first = walkPages === 0;
        const confirm =
          !result.ignored &&
          records.length === 0 &&
          (first
            ? !parent && !resumesCursor
            : previousHadRecords && !serverEndsWalk(paginatorConfig, resource.name, request, result));
        if (confirm) {
          events.emit({
            type: 'http.retry',
            resource: resource.name,
            url: redactor.url(result.url),
            attempt: 1,
            reason: first
              ? 'empty page at the start of a walk: asking again to confirm'
              : 'empty page after a non-empty one: asking again to confirm',
            delayMs: 0,
          });
          result = await fetchPage(request, signal);
          records = result.ignored ? [] : this.#select(resource, result, redactor.url(result.url), redactor);
        }
        walkPages++;
        const url = redactor.url(result.url);
        if (result.ignored) {
          // One line per resource and status at the end (a child may get thousands); each at debug.
          run.ignored.set(result.status, (run.ignored.get(result.status) ?? 0) + 1);
          events.emit({
            type: 'engine.log',
            level: 'debug',
            resource: resource.name,
            message: `ignored HTTP ${result.status} from ${url} (response_actions)`,
          });
          return;
        }
        previousHadRecords = records.length > 0;
        let next: RequestSpec | undefined;
        let stop: unknown;
        const response = {
          url: result.url,
          status: result.status,
          headers: result.headers,
          body: result.body,
          records,
        };
        try {
          next = paginator.nextRequest(request, response);
        } catch (error) {
          // Emit this page first: its records are good, only the way to the next one is not.
          stop = error;
        }
        if (next) this.#sendAhead(ahead, paginator, next, response, walkPages);

        const out: JsonRecord[] = [];
        const pageNumber = run.pages + 1;
        for (let i = 0; i < records.length; i++) {
          const raw = records[i];
          let record: JsonRecord = isRecord(raw) ? raw : { value: raw };
          if (
            cursor &&
            !cursor.accept(
              record,
              `record ${i + 1} of page ${pageNumber}${parent ? ` (parent ${position})` : ''}`,
            )
          ) {
            continue;
          }
          if (parentFields) record = { ...record, ...parentFields };
          const processed = steps(record);
          if (processed) out.push(processed);
        }
        run.pages = pageNumber;
        run.records += out.length;
        const entry = cursor?.entry();
        if (entry) run.incremental[key] = entry;
        const pageState: ResourceState = {
          ...run.base,
          ...(Object.keys(run.incremental).length > 0 ? { incremental: { ...run.incremental } } : {}),
          checkpoint: {
            run_id: run.runId,
            paginator: paginator.checkpoint(),
            pages: run.pages,
            ...(parent ? { parent_index: parent.index } : {}),
            ...(cursor && cursor.startValue !== undefined ? { start_value: cursor.startValue } : {}),
            ...(next === undefined && stop === undefined ? { done: true } : {}),
            records: run.records,
          },
        };
        if (!options.asParent) {
          events.emit({
            type: 'engine.page_fetched',
            resource: resource.name,
            index: run.pages,
            records: out.length,
            url,
          });
        }
        yield { resource: resource.name, index: run.pages, url, records: out, state: pageState };
        if (stop !== undefined) throw stop;
        request = next;
      }
    } finally {
      // Past the end, failed or stopped: what was sent ahead is not needed.
      ahead.discard();
    }
  }

  /**
   * Sends `next` and the requests the paginator says follow it, so up to `pagesAhead` are in
   * flight. The window opens one page per page read (a walk of one or two pages sends nothing
   * ahead, so a parent's many short child walks cost no extra requests) and a paginator that cannot
   * tell what follows (cursors, links) reads one page at a time.
   */
  #sendAhead(
    ahead: PagesAhead<ApiResult>,
    paginator: ReturnType<typeof createPaginator>,
    next: RequestSpec,
    response: Parameters<ReturnType<typeof createPaginator>['nextRequest']>[1],
    walkPages: number,
  ): void {
    const count = Math.min(this.pagesAhead - 1, walkPages - 1);
    if (count <= 0 || paginator.requestsAfter === undefined) return;
    let following: RequestSpec[];
    try {
      following = paginator.requestsAfter(next, response, count);
    } catch {
      // Only a hint: the walk itself (nextRequest) says what is wrong with the response, if anything.
      return;
    }
    if (following.length > 0 || ahead.size > 0) ahead.plan([next, ...following.slice(0, count)]);
  }

  #select(
    resource: NormalizedResource,
    result: { url: string; status: number; body: unknown },
    url: string,
    redactor: Redaction,
  ): unknown[] {
    try {
      return selectRecords(result.body, resource.endpoint.dataSelector);
    } catch (error) {
      if (!PaginatorError.isInstance(error) || error.code !== 'DATA_SELECTOR') throw error;
      throw new HttpError(`HTTP ${result.status}, but ${error.message}`, {
        code: 'DATA_SELECTOR',
        resource: resource.name,
        method: resource.endpoint.method,
        url,
        status: result.status,
        attempts: 1,
        excerpt: excerpt(redactor.text(JSON.stringify(result.body) ?? '')),
        cause: error,
      });
    }
  }

  #compiledSteps(resource: NormalizedResource): RecordPipeline {
    this.#steps ??= compileSteps(resource.name, resource.processingSteps);
    return this.#steps;
  }
}

/** State key of a child walk: the parent values it was called with, e.g. `id=42`. */
function parentKey(fields: readonly string[], record: JsonRecord): string {
  return [...fields]
    .sort()
    .map((field) => `${field}=${paramText(readField(record, field))}`)
    .join('&');
}

/** Paginators whose walk ends when the server gives no next link or cursor, not on an empty page. */
const SERVER_ENDS = new Set([
  'json_link',
  'header_link',
  'cursor',
  'json_response_cursor',
  'header_cursor',
  'single_page',
]);

function paginatorType(config: NormalizedEndpoint['paginator']): string {
  if (typeof config === 'string') return config;
  if (typeof config === 'object' && config !== null && 'type' in config) return String(config.type);
  return 'auto';
}

/**
 * Whether a link or cursor paginator's server ends the walk at this response (no next link or
 * cursor in it). Asked of a fresh paginator, so the walk's own one keeps its state.
 */
function serverEndsWalk(
  config: NormalizedEndpoint['paginator'],
  resource: string,
  request: RequestSpec,
  response: Omit<Parameters<ReturnType<typeof createPaginator>['nextRequest']>[1], 'records'>,
): boolean {
  if (!SERVER_ENDS.has(paginatorType(config))) return false;
  try {
    const probe = createPaginator(config, { resource });
    const { url, status, headers, body } = response;
    return probe.nextRequest(request, { url, status, headers, body, records: [] }) === undefined;
  } catch {
    return false;
  }
}

/** The top-level keys of this resource's records that its children read (placeholders, included fields). */
function childFields(runtime: ReaderRuntime, name: string): string[] {
  const keys = new Set<string>();
  for (const other of runtime.resourceNames) {
    const child = runtime.resolved(other);
    if (child?.parent?.resource !== name) continue;
    for (const field of [...child.parent.fields, ...child.includeFromParent]) {
      keys.add(field.split(/[.[]/)[0] as string);
    }
  }
  return [...keys];
}

function pick(record: JsonRecord, keys: readonly string[]): JsonRecord {
  const out: JsonRecord = {};
  for (const key of keys) if (key in record) out[key] = record[key];
  return out;
}

function includedParentFields(
  resource: NormalizedResource,
  parent: { name: string; record: JsonRecord },
): JsonRecord | undefined {
  if (resource.includeFromParent.length === 0) return undefined;
  const fields: JsonRecord = {};
  for (const field of resource.includeFromParent) {
    fields[parentFieldName(parent.name, field)] = readField(parent.record, field);
  }
  return fields;
}

function ignorePredicate(
  resource: NormalizedResource,
): ((status: number, text: string) => boolean) | undefined {
  const actions = resource.endpoint.responseActions;
  if (actions.length === 0) return undefined;
  return (status, text) =>
    actions.some(
      (action) =>
        (action.status_code === undefined || action.status_code === status) &&
        (action.content === undefined || text.includes(action.content)),
    );
}
