/**
 * `defineRestApiSource(spec)`: a packaged source from its data alone (resource names, paths,
 * selectors, schemas, paginator, auth). The shared part lives here: option validation, the
 * `seed` / `real_api` presets, per-resource overrides, delete detection and schema contracts.
 * With only the required options the config is the seed plus Siphon's extensions: a declared
 * Avro schema and delete detection on every resource.
 */
import type { AuthConfig, PaginatorSetting, ResourceConfig, RestApiConfig } from '../config/types.js';
import type { AvroRecordSchema } from '../contracts.js';
import {
  dispositionOf,
  type PackagedSourceOptions,
  type SourceOptionsSpec,
  sourceOptionsParser,
} from './options.js';

/** A source that can be registered by name (with the runner, say) and built from its options. */
export interface SourcePlugin<Options = unknown> {
  /** The name a pipelines file uses (`package: billing`), also the topic and state prefix. */
  readonly name: string;
  /** Validates the options (a `ConfigError` lists every problem) and returns the `rest_api` config. */
  build(options: Options): RestApiConfig;
  /** Validates the options only. */
  parseOptions(input: unknown): Options;
}

/** Where one resource is read: the seed's path and data selector, and the real API's id field. */
export interface SourceResourceSpec {
  path: string;
  dataSelector: string;
  /** The primary key of the `real_api` preset. */
  realIdField: string;
}

export interface RestApiSourceSpec<Name extends string, Options extends PackagedSourceOptions<Name>>
  extends SourceOptionsSpec<Name> {
  name: string;
  resource(name: Name): SourceResourceSpec;
  /** The declared value schema of a resource keyed by `keyFields`. */
  schemaFor(name: Name, keyFields: readonly string[]): AvroRecordSchema;
  /** The seed's paginator, at `pageSize` records a page. */
  paginator(pageSize: number): PaginatorSetting;
  defaultPageSize: number;
  /** The client's `auth` block from the validated options. */
  auth(options: Options): AuthConfig;
}

export function defineRestApiSource<Name extends string, Options extends PackagedSourceOptions<Name>>(
  spec: RestApiSourceSpec<Name, Options>,
): SourcePlugin<Options> {
  const parseOptions = sourceOptionsParser<Name, Options>(spec, spec.auth);
  const build = (options: Options): RestApiConfig => {
    const o = parseOptions(options);
    const preset = o.preset ?? 'seed';
    const selected: readonly Name[] = o.resources ?? spec.resourceNames;
    const pageSize = o.pageSize ?? spec.defaultPageSize;
    const defaultDetection = o.deleteDetection ?? 'snapshot';

    const resources = spec.resourceNames
      .filter((name) => selected.includes(name))
      .map((name): ResourceConfig => {
        const resource = spec.resource(name);
        const override = o.overrides?.[name] ?? {};
        const primaryKey = override.primaryKey ?? (preset === 'real_api' ? resource.realIdField : 'id');
        const keyFields = Array.isArray(primaryKey) ? primaryKey : [primaryKey];
        const appends = dispositionOf(override.writeDisposition) === 'append';
        const config: ResourceConfig = {
          name,
          endpoint: {
            path: override.path ?? resource.path,
            data_selector: override.dataSelector ?? resource.dataSelector,
            paginator: override.paginator ?? spec.paginator(pageSize),
          },
          delete_detection: override.deleteDetection ?? (appends ? 'none' : defaultDetection),
          schema: spec.schemaFor(name, keyFields),
        };
        if (preset === 'real_api' || override.primaryKey !== undefined) config.primary_key = primaryKey;
        if (override.writeDisposition !== undefined) config.write_disposition = override.writeDisposition;
        if (override.pagesAhead !== undefined) config.pages_ahead = override.pagesAhead;
        const contract = override.schemaContract ?? o.schemaContract;
        if (contract !== undefined) config.schema_contract = contract;
        return config;
      });

    const client: RestApiConfig['client'] = { base_url: o.baseUrl, auth: spec.auth(o) };
    if (o.headers !== undefined) client.headers = { ...o.headers };

    return {
      client,
      resource_defaults:
        preset === 'seed'
          ? { primary_key: 'id', write_disposition: 'merge' }
          : { write_disposition: 'merge' },
      resources,
    };
  };
  return Object.freeze({ name: spec.name, build, parseOptions });
}
