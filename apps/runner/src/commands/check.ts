import path from 'node:path';
import { loadContext } from '../context.js';
import { EXIT_FAILURE, EXIT_OK, oneLineReason } from '../errors.js';
import type { Io } from '../io.js';
import { checkKafka, checkRegistry } from '../ops/probes.js';
import { PipelineRunner } from '../pipeline/pipeline-runner.js';
import type { CheckOptions } from '../program.js';

interface Verdict {
  ok: boolean;
  name: string;
  detail: string;
}

/**
 * `siphon check`: the config is valid, each pipeline's API returns a first page, and every Kafka
 * cluster and registry answers. One line per check; exit 0 only when all pass.
 */
export async function checkCommand(options: CheckOptions, io: Io): Promise<number> {
  const ctx = await loadContext(options, io);
  const verdicts: Verdict[] = [];
  const report = (v: Verdict) => {
    verdicts.push(v);
    io.stdout.write(`${v.ok ? 'ok  ' : 'FAIL'}  ${v.name}: ${v.detail}\n`);
  };
  report({ ok: true, name: 'config', detail: `${ctx.file.file}: ${ctx.pipelines.length} pipeline(s) valid` });

  const runners = ctx.pipelines.map(
    (pipeline) =>
      new PipelineRunner(pipeline, {
        logger: ctx.logger,
        secrets: ctx.secrets,
        baseDir: path.dirname(ctx.file.file),
        stateKey: undefined,
      }),
  );
  try {
    for (const runner of runners) {
      const name = `api ${runner.config.name}`;
      try {
        await runner.prepare();
        report({ ok: true, name, detail: await firstPage(runner, options.timeout) });
        // Said here once, not at every run: defaults the config leaves to Siphon.
        for (const note of runner.source.configNotes()) io.stdout.write(`note  ${name}: ${note}\n`);
      } catch (error) {
        report({ ok: false, name, detail: oneLineReason(error) });
      }
    }
    const clusters = new Map(ctx.pipelines.map((p) => [p.kafka.brokers.join(','), p.kafka]));
    const registries = new Map(ctx.pipelines.map((p) => [p.registry.url, p.registry]));
    await Promise.all([
      ...[...clusters].map(async ([brokers, kafka]) => {
        try {
          report({ ok: true, name: `kafka ${brokers}`, detail: await checkKafka(kafka, options.timeout) });
        } catch (error) {
          report({ ok: false, name: `kafka ${brokers}`, detail: oneLineReason(error) });
        }
      }),
      ...[...registries].map(async ([url, registry]) => {
        try {
          report({
            ok: true,
            name: `registry ${url}`,
            detail: await checkRegistry(registry, options.timeout),
          });
        } catch (error) {
          report({ ok: false, name: `registry ${url}`, detail: oneLineReason(error) });
        }
      }),
    ]);
  } finally {
    await Promise.allSettled(runners.map((r) => r.close()));
  }
  const failed = verdicts.filter((v) => !v.ok).length;
  io.stdout.write(failed === 0 ? 'all checks passed\n' : `${failed} check(s) failed\n`);
  return failed === 0 ? EXIT_OK : EXIT_FAILURE;
}

/** Reads the first page of the pipeline's first selected resource, then stops. */
async function firstPage(runner: PipelineRunner, timeoutMs: number): Promise<string> {
  const name = runner.resourceNames[0];
  const resource = runner.source.resources.find((r) => r.name === name);
  if (!resource) return 'no resource selected';
  const started = Date.now();
  const signal = AbortSignal.timeout(timeoutMs);
  for await (const page of resource.read({ signal })) {
    return `first page of ${resource.name} (${page.url.replace(/\?.*$/, '')}) returned ${page.records.length} record(s) in ${Date.now() - started} ms`;
  }
  return `${resource.name} returned no page`;
}
