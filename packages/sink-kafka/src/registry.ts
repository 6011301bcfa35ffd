/**
 * A small client for the Confluent Schema Registry REST API (also served by Apicurio's ccompat
 * API, Karapace and Redpanda). Written on fetch rather than with @kafkajs/confluent-schema-registry
 * because its `register()` throws whenever a subject's compatibility level differs from the one the
 * caller expects (Apicurio reports its global default, possibly NONE) and always makes HTTP calls;
 * we need a per-run subject cache, explicit compatibility only for subjects we create, and errors
 * that name the registry URL.
 */
import {
  type AvroRecordSchema,
  parseRetryAfter,
  type RetryClock,
  type RetryPolicy,
  retry,
  systemClock,
} from '@siphon/core';
import { describeError, KafkaSinkError } from './errors.js';

export type Compatibility =
  | 'BACKWARD'
  | 'BACKWARD_TRANSITIVE'
  | 'FORWARD'
  | 'FORWARD_TRANSITIVE'
  | 'FULL'
  | 'FULL_TRANSITIVE'
  | 'NONE';

export interface RegistryOptions {
  /** Base URL, e.g. `http://127.0.0.1:8081/apis/ccompat/v7` or `https://psrc-xxx.confluent.cloud`. */
  url: string;
  auth?: { username: string; password: string };
  /** Level set on subjects this client creates. Default `BACKWARD`. */
  compatibility?: Compatibility;
  /** Per request. Default 10 s. */
  timeoutMs?: number;
  /** Attempts for network errors and 5xx answers. Default 3. */
  attempts?: number;
  /** Injected for tests: the retries' clock. */
  clock?: RetryClock;
}

export interface RegisteredSchema {
  id: number;
  version: number;
  schema: AvroRecordSchema;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/**
 * Between tries: up to 200 ms doubling (full jitter, since every writer of a run may hit the
 * registry at once), or the registry's `Retry-After`, at most 30 s. The backoff of the default 3
 * tries (200, 400 ms) stays far below that cap.
 */
const REGISTRY_BACKOFF: RetryPolicy = { initialDelayMs: 200, maxDelayMs: 30_000 };

/** A 5xx answer, retried; carries the registry's `Retry-After` for `retry`. */
class RegistryServerError extends KafkaSinkError {
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super('REGISTRY', message, { retriable: true });
  }
}

export class SchemaRegistryClient {
  private readonly base: string;
  private readonly display: string;
  private readonly headers: Record<string, string>;
  private readonly ids = new Map<string, Map<string, number>>();
  private readonly knownSubjects = new Set<string>();
  private readonly compatibility: Compatibility;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly clock: RetryClock;

  constructor(options: RegistryOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new KafkaSinkError('INVALID_OPTIONS', `registry.url "${options.url}" is not a URL`);
    }
    const username = options.auth?.username ?? decodeURIComponent(url.username);
    const password = options.auth?.password ?? decodeURIComponent(url.password);
    url.username = '';
    url.password = '';
    this.base = url.toString().replace(/\/+$/, '');
    this.display = this.base;
    this.headers = { accept: `${CONTENT_TYPE}, application/json`, 'content-type': CONTENT_TYPE };
    if (username) {
      this.headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    }
    this.compatibility = options.compatibility ?? 'BACKWARD';
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.attempts = options.attempts ?? 3;
    this.clock = options.clock ?? systemClock;
  }

  /** The registry URL without credentials, for messages. */
  get url(): string {
    return this.display;
  }

  /** The latest version under a subject, or undefined when the subject does not exist. */
  async latest(subject: string): Promise<RegisteredSchema | undefined> {
    const response = await this.request('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`);
    if (response.status === 404) return undefined;
    const body = (await this.json(response, `read the latest schema of subject "${subject}"`)) as {
      id: number;
      version: number;
      schema: string;
      schemaType?: string;
    };
    if (body.schemaType && body.schemaType !== 'AVRO') {
      throw new KafkaSinkError(
        'SCHEMA_INVALID',
        `subject "${subject}" at ${this.display} holds a ${body.schemaType} schema, not Avro`,
      );
    }
    this.knownSubjects.add(subject);
    const schema = JSON.parse(body.schema) as AvroRecordSchema;
    this.remember(subject, schema, body.id);
    return { id: body.id, version: body.version, schema };
  }

  /**
   * Registers a schema (or finds it, when already registered) and returns its id. A subject this
   * call creates gets the configured compatibility level; existing subjects keep theirs.
   */
  async register(subject: string, schema: AvroRecordSchema): Promise<number> {
    const text = JSON.stringify(schema);
    const cached = this.ids.get(subject)?.get(text);
    if (cached !== undefined) return cached;
    const isNew = !this.knownSubjects.has(subject) && (await this.latest(subject)) === undefined;
    const response = await this.request('POST', `/subjects/${encodeURIComponent(subject)}/versions`, {
      schema: text,
    });
    if (response.status === 409) {
      const detail = await this.errorDetail(response);
      throw new KafkaSinkError(
        'SCHEMA_INCOMPATIBLE',
        `registry ${this.display} rejected a new version of subject "${subject}" as incompatible: ${detail}`,
      );
    }
    if (response.status === 422) {
      const detail = await this.errorDetail(response);
      throw new KafkaSinkError(
        'SCHEMA_INVALID',
        `registry ${this.display} rejected the schema for subject "${subject}": ${detail}`,
      );
    }
    const { id } = (await this.json(response, `register a schema under subject "${subject}"`)) as {
      id: number;
    };
    if (isNew) await this.setCompatibility(subject, this.compatibility);
    this.knownSubjects.add(subject);
    this.remember(subject, schema, id);
    return id;
  }

  async setCompatibility(subject: string, level: Compatibility): Promise<void> {
    const response = await this.request('PUT', `/config/${encodeURIComponent(subject)}`, {
      compatibility: level,
    });
    await this.json(response, `set compatibility ${level} on subject "${subject}"`);
  }

  async compatibilityOf(subject: string): Promise<string | undefined> {
    const response = await this.request('GET', `/config/${encodeURIComponent(subject)}`);
    if (response.status === 404) return undefined;
    const body = (await this.json(response, `read the compatibility of subject "${subject}"`)) as {
      compatibilityLevel?: string;
    };
    return body.compatibilityLevel;
  }

  /** The schema with a given id (as written by any producer). */
  async schemaById(id: number): Promise<AvroRecordSchema> {
    const response = await this.request('GET', `/schemas/ids/${id}`);
    const body = (await this.json(response, `read schema id ${id}`)) as { schema: string };
    return JSON.parse(body.schema) as AvroRecordSchema;
  }

  private remember(subject: string, schema: AvroRecordSchema, id: number): void {
    let bySchema = this.ids.get(subject);
    if (!bySchema) {
      bySchema = new Map();
      this.ids.set(subject, bySchema);
    }
    bySchema.set(JSON.stringify(schema), id);
  }

  private async request(method: string, path: string, body?: unknown): Promise<Response> {
    const url = `${this.base}${path}`;
    const send = async (attempt: number) => {
      const response = await fetch(url, {
        method,
        headers: this.headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      // The last 5xx goes back to the caller, whose error says what the registry answered.
      if (response.status < 500 || attempt === this.attempts) return response;
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.clock.now());
      throw new RegistryServerError(
        `HTTP ${response.status}: ${await this.errorDetail(response)}`,
        retryAfterMs,
      );
    };
    try {
      // Every failure here is worth another try: fetch throws only for the network and timeouts.
      return await retry(send, {
        ...REGISTRY_BACKOFF,
        maxAttempts: this.attempts,
        retriable: () => true,
        clock: this.clock,
      });
    } catch (lastError) {
      const cause = lastError as { cause?: { code?: string; message?: string } } | undefined;
      const reason = cause?.cause?.code ?? cause?.cause?.message ?? describeError(lastError);
      throw new KafkaSinkError(
        'REGISTRY',
        `schema registry ${this.display} unreachable (${method} ${path}): ${reason}`,
        { cause: lastError, retriable: true },
      );
    }
  }

  private async json(response: Response, what: string): Promise<unknown> {
    if (response.ok) return response.json();
    const detail = await this.errorDetail(response);
    const hint =
      response.status === 401 || response.status === 403 ? ' (check registry.auth username/password)' : '';
    throw new KafkaSinkError(
      'REGISTRY',
      `schema registry ${this.display} failed to ${what}: HTTP ${response.status} ${detail}${hint}`,
      { retriable: response.status >= 500 },
    );
  }

  private async errorDetail(response: Response): Promise<string> {
    const text = await response.text().catch(() => '');
    try {
      const body = JSON.parse(text) as { message?: string; error_code?: number };
      if (body.message) return body.error_code ? `${body.message} (error ${body.error_code})` : body.message;
    } catch {
      // not JSON: show the text itself
    }
    return text.slice(0, 300) || response.statusText;
  }
}
