import path from 'node:path';
import { type KafkaSinkOptions, planTopics, type TopicPlan } from '@siphon/sink-kafka';
import type { CommandContext } from '../context.js';
import { PipelineRunner } from '../pipeline/pipeline-runner.js';
import { kafkaSinkOptions } from '../pipeline/sink-options.js';

export interface PipelinePlan {
  pipeline: string;
  source: string;
  options: KafkaSinkOptions;
  plan: TopicPlan;
}

/** Every selected pipeline's runner, prepared (config validated, source built), not yet run. */
export async function preparedRunners(ctx: CommandContext, resources?: string[]): Promise<PipelineRunner[]> {
  const runners: PipelineRunner[] = [];
  for (const pipeline of ctx.pipelines) {
    const runner = new PipelineRunner(pipeline, {
      logger: ctx.logger,
      secrets: ctx.secrets,
      baseDir: path.dirname(ctx.file.file),
      stateKey: undefined,
      ...(resources ? { resources } : {}),
    });
    await runner.prepare();
    runners.push(runner);
  }
  return runners;
}

/** What each pipeline would write (topics, configs, schemas), from its config alone. */
export async function planPipelines(ctx: CommandContext, resources?: string[]): Promise<PipelinePlan[]> {
  const plans: PipelinePlan[] = [];
  for (const pipeline of ctx.pipelines) {
    const runner = new PipelineRunner(pipeline, {
      logger: ctx.logger,
      secrets: ctx.secrets,
      baseDir: path.dirname(ctx.file.file),
      stateKey: undefined,
      ...(resources ? { resources } : {}),
    });
    try {
      await runner.prepare();
      const selected = new Set(runner.resourceNames);
      const options = kafkaSinkOptions(pipeline);
      const plan = planTopics(options, {
        pipeline: pipeline.name,
        source: runner.sourceName,
        resources: runner.source.resources.filter((r) => selected.has(r.name)),
      });
      plans.push({ pipeline: pipeline.name, source: runner.sourceName, options, plan });
    } finally {
      await runner.close();
    }
  }
  return plans;
}
