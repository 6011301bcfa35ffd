import type { ZodType } from 'zod';
import type { EventBus } from './events.js';

/**
 * The contracts every other Siphon package plugs into. They live here, in the lowest package that
 * needs them: sources produce `ResourceStream`s, sinks consume them, and `StateStore`s remember
 * where each resource stopped.
 */

import type { AvroRecordSchema } from '@siphon/avro';
import type { SCHEMA_CONTRACT_MODES, WRITE_DISPOSITIONS } from './vocabulary.js';

/** One record as the API returned it (after `data_selector` and `processing_steps`). */
export type JsonRecord = Record<string, unknown>;

/** How a resource's records land in its topic (dlt's `write_disposition`; list in `vocabulary.ts`). */
export type WriteDisposition = (typeof WRITE_DISPOSITIONS)[number];

/** dlt-style schema contract for a value whose type changes or a field that appears. */
export type SchemaContractMode = (typeof SCHEMA_CONTRACT_MODES)[number];

/** Avro schemas as plain JSON live in `@siphon/avro`; the contracts below use them, so core re-exports them. */
export type { AvroField, AvroRecordSchema, AvroType } from '@siphon/avro';

/** How a record is recognised as deleted; such records become tombstones. */
export interface HardDeleteRule {
  /** Dotted path of the flag in the record, e.g. `deleted` or `meta.is_deleted`. */
  path: string;
  /** The value that means "deleted"; when omitted any truthy value does. */
  equals?: unknown;
}

/** Everything a sink needs to know about a resource before the first record arrives. */
export interface ResourceDescriptor {
  /** Resource name as in the config, e.g. `invoices`. */
  name: string;
  /** Normalised primary key: one or more dotted field paths. Empty for keyless append resources. */
  primaryKey: string[];
  writeDisposition: WriteDisposition;
  /** Declared value schema, when the source knows it. Otherwise the sink infers one. */
  schema?: AvroRecordSchema;
  schemaContract?: SchemaContractMode;
  hardDelete?: HardDeleteRule;
  /**
   * `snapshot`: every complete run is a full snapshot, so keys missing from it are deleted.
   * Implied by `replace`; opt-in for `merge`.
   */
  deleteDetection?: 'none' | 'snapshot';
}

/**
 * Persisted per-resource state. Opaque to sinks and state stores: only the engine reads it.
 * It is JSON-serialisable.
 */
export interface ResourceState {
  /** Incremental cursor values: `default` for a plain resource, or one per parent value of a child. */
  incremental?: Record<string, { last_value: unknown; initial_value?: unknown }>;
  /** Where an interrupted run stopped, so the next one resumes after the last committed page. */
  checkpoint?: {
    run_id: string;
    paginator: unknown;
    parent_index?: number;
    pages: number;
    /** Incremental start value the interrupted run used, so its resumption asks for the same range. */
    start_value?: unknown;
    /** The page was the last of its walk (of the resource, or of the parent at `parent_index`). */
    done?: boolean;
    /** Records the run has read so far, across every process that worked on it. */
    records?: number;
  } | null;
  /** Id of the last run that completed, and when. */
  last_run?: { run_id: string; completed_at: string; records: number };
  [key: string]: unknown;
}

/** Addresses one resource's state: one entry per pipeline, source and resource. */
export interface StateKey {
  pipeline: string;
  source: string;
  resource: string;
}

export interface StateStore {
  get(key: StateKey): Promise<ResourceState | undefined>;
  set(key: StateKey, state: ResourceState): Promise<void>;
  delete(key: StateKey): Promise<void>;
  list(): Promise<Array<{ key: StateKey; state: ResourceState }>>;
  close?(): Promise<void>;
}

/** One page of records, with the state that holds once this page is durably written. */
export interface Page {
  resource: string;
  /** 1-based index of this page within the current run of the resource. */
  index: number;
  url: string;
  records: JsonRecord[];
  /** State to persist atomically with these records (exactly-once sinks commit both together). */
  state: ResourceState;
}

export interface ReadOptions {
  /** State from the last run (or from the checkpoint of an interrupted one). */
  state?: ResourceState;
  /** Stops fetching promptly; the iterator then ends with an AbortError. */
  signal?: AbortSignal | undefined;
  /** Unique id of this run; put in checkpoints so a resumed run can be told apart. */
  runId?: string;
}

/** A resource that can be read: its pages stream with backpressure (a page is fetched when pulled). */
export interface ResourceStream extends ResourceDescriptor {
  /** Names of resources this one depends on (child resources read their parents first). */
  dependsOn: string[];
  read(options?: ReadOptions): AsyncIterable<Page>;
}

/** A configured source: a named set of resources. */
export interface Source {
  name: string;
  resources: ResourceStream[];
  /** The bus the HTTP client and engine emit into (`http.*`, `engine.*`), and auth (`oauth2.*`). */
  events: EventBus;
  close?(): Promise<void>;
}

export interface ResourceResult {
  resource: string;
  pages: number;
  records: number;
  /** True when every page of the run was read. */
  complete: boolean;
  /**
   * The run continued an interrupted one (from its checkpoint). Its pages were read at different
   * moments: a record deleted in a page read before the interruption shifts later records into
   * pages already read, so they were never seen. Such a run is no snapshot, so a sink must not
   * detect deletes from it: deletion is left to the next run that reads every page in one pass.
   */
  resumed?: boolean;
}

/** Writes one resource's pages. `write` may wait (backpressure); resolve means "accepted", not "committed". */
export interface ResourceWriter {
  write(page: Page): Promise<void>;
  /** Commits everything written, plus the final state, and applies snapshot deletes if `complete` and not `resumed`. */
  finish(result: ResourceResult, finalState: ResourceState): Promise<void>;
  /** Drops whatever is not committed yet. Never throws. */
  abort(reason: unknown): Promise<void>;
}

export interface SinkOpenContext {
  pipeline: string;
  source: string;
  runId: string;
}

export interface Sink {
  open(resource: ResourceDescriptor, context: SinkOpenContext): Promise<ResourceWriter>;
  /** The store that holds state consistently with this sink's data, if it has one. */
  stateStore?(): StateStore;
  close(): Promise<void>;
}

/** Adds credentials to requests. Only called for requests to the configured `base_url`'s origin. */
export interface AuthProvider {
  /** Returns headers (e.g. `Authorization`) and query params to add to one request. */
  apply(request: { url: URL; headers: Headers }): Promise<void>;
  /**
   * Called after a 401. Return true to retry the request once with fresh credentials
   * (the provider drops its cached token); false to fail.
   */
  onUnauthorized?(response: { status: number; url: string }): Promise<boolean>;
  /** Names the auth for logs without revealing anything secret, e.g. `oauth2(refresh_token)`. */
  describe(): string;
}

/** What an auth factory gets from the engine besides its own config block. */
export interface AuthFactoryContext {
  /** The engine's fetch with its retry rules (backoff on 429/5xx/network errors); use it for token calls. */
  fetch: typeof globalThis.fetch;
  /** Base URL of the API the credentials are for. */
  baseUrl: string;
  /** The source's bus: emit the auth's own events (e.g. `oauth2.*`) here. */
  events: EventBus;
}

/**
 * Builds an `AuthProvider` from a config `auth` block whose secret references are already
 * resolved to their values, e.g. `{ type: 'bearer', token }`. A plain function checks its block
 * itself, at run time only; an `AuthPlugin` declares its schema, so core checks the block at load.
 */
export type AuthFactoryFunction = (
  config: Record<string, unknown>,
  context: AuthFactoryContext,
) => AuthProvider;

/**
 * An auth type that declares its config: core checks each `auth` block of that type against
 * `configSchema` when the config is loaded (a secret reference counts as a string there, and rules
 * about a secret's text wait for its value), and at start, with secrets resolved, parses the block
 * once and hands `create` the schema's output as it is.
 */
export interface AuthPlugin<Settings = unknown> {
  /**
   * The whole `auth` block, `type` included; its output is what `create` gets. At load it also
   * runs as a check, whose output is dropped, so keep it free of side effects.
   */
  readonly configSchema: ZodType<Settings>;
  create(settings: Settings, context: AuthFactoryContext): AuthProvider;
}

/** What `authFactories` maps an auth type to: a plugin with its schema, or a plain function. */
export type AuthFactory = AuthFactoryFunction | AuthPlugin;
