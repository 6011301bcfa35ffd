/**
 * A source package's end-to-end suite, written once: its source against an in-process sandbox,
 * through the real Kafka sink and Schema Registry, every topic read back and compared with the
 * sandbox's ground truth, for the seed preset (two runs, with changes between them) and the real
 * API's preset.
 */
import type { Sink, Source, SourcePreset } from '@siphon/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChangingGroundTruth,
  expectConverged,
  expectSeedRunsConverge,
  type RecordChanges,
  type RegisteredRecordSchema,
  runAndReadBack,
} from './e2e-support.js';
import { infraConfig, uniqueName } from './infra.js';
import { type CompactedView, type SinkReadingApi, sinkTopicReader } from './kafka-view.js';

/** What the suite needs of a sandbox (`@siphon/sandbox`'s `Sandbox`): testkit does not import it. */
export interface EndToEndSandbox extends ChangingGroundTruth {
  close(): Promise<void>;
}

/** What the suite needs of `@siphon/sink-kafka`: its sink, and what reading its topics back takes. */
export interface EndToEndSink<Connection> extends SinkReadingApi<Connection> {
  createKafkaSink(options: {
    kafka: { brokers: string[] };
    registry: { url: string };
    topics: { prefix: string };
  }): Sink & { close(): Promise<void> };
}

export interface SourceEndToEnd<Name extends string, Sandbox extends EndToEndSandbox, Connection> {
  /** The API's name in topic names and in the sandbox (`billing`, `analytics`). */
  api: string;
  /** Starts the sandbox with this suite's data. */
  startSandbox(): Promise<Sandbox>;
  sinkKafka: EndToEndSink<Connection>;
  /** Every resource of the source: a run that names none syncs them all. */
  names: readonly Name[];
  /** The source of one run against `sb`: its preset, and its resources when not all. */
  source(sb: Sandbox, run: { preset: SourcePreset; resources?: Name[] }): Source & { close(): Promise<void> };
  /** The value schema the package declares for a resource keyed by `primaryKey`. */
  schemaFor(name: Name, primaryKey: string[]): RegisteredRecordSchema;
  /** The key field of a resource in the real API's preset (the seed preset keys all by `id`). */
  realKey(name: Name): string;
  /** The seed preset's two runs (see `expectSeedRunsConverge`). */
  seed: {
    counted: { name: Name; size: number };
    changes: Partial<Record<Name, RecordChanges>>;
    tombstoned: Name;
    stamped: { name: Name; field: string };
  };
  /** The resources the real API's preset syncs. */
  realResources: Name[];
}

export function describeSourceEndToEnd<Name extends string, Sandbox extends EndToEndSandbox, Connection>(
  suite: SourceEndToEnd<Name, Sandbox, Connection>,
): void {
  const { api } = suite;
  const { brokers, registryUrl } = infraConfig();

  describe(`${api} source → Kafka, end to end`, () => {
    let sb: Sandbox;
    const { reader, close: closeReader } = sinkTopicReader(suite.sinkKafka);

    beforeAll(async () => {
      sb = await suite.startSandbox();
    });

    afterAll(async () => {
      await sb?.close();
      await closeReader();
    });

    async function run(prefix: string, preset: SourcePreset, resources?: Name[]) {
      const keyOf = (name: Name) => (preset === 'real_api' ? suite.realKey(name) : 'id');
      const { views } = await runAndReadBack({
        source: suite.source(sb, { preset, ...(resources && { resources }) }),
        sink: suite.sinkKafka.createKafkaSink({
          kafka: { brokers },
          registry: { url: registryUrl },
          topics: { prefix },
        }),
        reader,
        prefix,
        api,
        names: resources ?? suite.names,
        declared: (name) => suite.schemaFor(name, [keyOf(name)]),
        registryUrl,
      });
      return views as Map<Name, CompactedView>;
    }

    it('seed preset: every resource equals the ground truth, then converges after updates, deletes and inserts', async () => {
      await expectSeedRunsConverge({
        sb,
        api,
        prefix: uniqueName(`e2e-${api}-seed`),
        run: (prefix) => run(prefix, 'seed'),
        ...suite.seed,
      });
    });

    it("real_api preset: topics keyed by the real API's id fields equal the ground truth", async () => {
      const views = await run(uniqueName(`e2e-${api}-real`), 'real_api', suite.realResources);
      expect([...views.keys()]).toEqual(suite.realResources);
      await expectConverged(sb, api, views, (name) => suite.realKey(name));
    });
  });
}
