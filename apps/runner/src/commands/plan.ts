import path from 'node:path';
import type { JsonRecord } from '@siphon/core';
import { SiphonError } from '@siphon/core';
import { planTopics, type ResolvedOptions, type TopicPlan } from '@siphon/sink-kafka';
import type { CommandContext } from '../context.js';
import { PipelineRunner } from '../pipeline/pipeline-runner.js';
import { kafkaSinkOptions } from '../pipeline/sink-options.js';

export interface PipelinePlan {
  pipeline: string;
  source: string;
  options: ResolvedOptions;
  plan: TopicPlan;
  /** With sampling: the URL of the page each inferred schema came from, by resource. */
  sampledFrom: Record<string, string>;
}

export interface PlanOptions {
  resources?: string[] | undefined;
  /**
   * Fetch the first page with records of each resource that declares no schema and infer its
   * schemas from it, as a run does at its first write; at most this long per resource.
   */
  sampleTimeoutMs?: number | undefined;
}

/** A pipeline's runner for a command that reads its config and source but keeps no state. */
function unstartedRunner(
  ctx: CommandContext,
  pipeline: CommandContext['pipelines'][number],
  resources: string[] | undefined,
): PipelineRunner {
  return new PipelineRunner(pipeline, {
    logger: ctx.logger,
    secrets: ctx.secrets,
    baseDir: path.dirname(ctx.file.file),
    stateKey: undefined,
    ...(resources ? { resources } : {}),
  });
}

/** Every selected pipeline's runner, prepared (config validated, source built), not yet run. */
export async function preparedRunners(ctx: CommandContext, resources?: string[]): Promise<PipelineRunner[]> {
  const runners: PipelineRunner[] = [];
  for (const pipeline of ctx.pipelines) {
    const runner = unstartedRunner(ctx, pipeline, resources);
    await runner.prepare();
    runners.push(runner);
  }
  return runners;
}

/** What each pipeline would write (topics, configs, schemas), from its config (and, if asked, first pages). */
export async function planPipelines(
  ctx: CommandContext,
  planOptions: PlanOptions = {},
): Promise<PipelinePlan[]> {
  const { resources, sampleTimeoutMs } = planOptions;
  const plans: PipelinePlan[] = [];
  for (const pipeline of ctx.pipelines) {
    const runner = unstartedRunner(ctx, pipeline, resources);
    try {
      await runner.prepare();
      const selected = new Set(runner.resourceNames);
      const options = kafkaSinkOptions(pipeline);
      const chosen = runner.source.resources.filter((r) => selected.has(r.name));
      const samples: Record<string, JsonRecord[]> = {};
      const sampledFrom: Record<string, string> = {};
      if (sampleTimeoutMs !== undefined) {
        for (const resource of chosen.filter((r) => !r.schema)) {
          const page = await firstPageWithRecords(resource, sampleTimeoutMs);
          if (page) {
            samples[resource.name] = page.records;
            sampledFrom[resource.name] = page.url.replace(/\?.*$/, '');
          }
        }
      }
      const plan = planTopics(
        options,
        { pipeline: pipeline.name, source: runner.sourceName, resources: chosen },
        samples,
      );
      plans.push({ pipeline: pipeline.name, source: runner.sourceName, options, plan, sampledFrom });
    } finally {
      await runner.close();
    }
  }
  return plans;
}

/** The first page that has records (a run infers its schemas from the first records it writes). */
async function firstPageWithRecords(
  resource: PipelineRunner['source']['resources'][number],
  timeoutMs: number,
): Promise<{ records: JsonRecord[]; url: string } | undefined> {
  const controller = new AbortController();
  const timer = setTimeout(
    () =>
      controller.abort(
        new SiphonError(`no page of ${resource.name} within ${timeoutMs} ms`, {
          code: 'RUNNER_PLAN_TIMEOUT',
        }),
      ),
    timeoutMs,
  );
  try {
    for await (const page of resource.read({ signal: controller.signal })) {
      if (page.records.length > 0) return { records: page.records as JsonRecord[], url: page.url };
    }
    return undefined;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}
