import type { PipelineConfig } from '../config/schema.js';
import { UsageError } from '../errors.js';

/** One unit of scale-out work: a resource of a pipeline, owned by one replica at a time. */
export interface Unit {
  /** `<pipeline>/<resource>`; pipeline names cannot hold a `/`, so the id is unambiguous. */
  id: string;
  pipeline: string;
  resource: string;
}

export function unitId(pipeline: string, resource: string): string {
  return `${pipeline}/${resource}`;
}

/** The units of the selected pipelines and resources, sorted by id: every replica lists them alike. */
export function listUnits(pipelines: ReadonlyArray<{ name: string; resources: readonly string[] }>): Unit[] {
  const units = pipelines.flatMap(({ name, resources }) =>
    resources.map((resource) => ({ id: unitId(name, resource), pipeline: name, resource })),
  );
  return units.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Each unit's weight for balancing: fixed per resource (`weights: { invoices: 20 }`), or the
 * records of its last run (`weights: last_run`), learned from the state a replica reads when it
 * takes a unit over and from the runs it makes. Unknown weights are left to the other replicas'
 * reports (and default to 1).
 */
export class UnitWeights {
  readonly #config = new Map<string, PipelineConfig['weights']>();
  readonly #learned = new Map<string, number>();

  constructor(pipelines: ReadonlyArray<{ config: PipelineConfig; allResources: readonly string[] }>) {
    for (const { config, allResources } of pipelines) {
      const weights = config.weights;
      if (weights && weights !== 'last_run') {
        const unknown = Object.keys(weights).filter((r) => !allResources.includes(r));
        if (unknown.length > 0) {
          throw new UsageError(
            `pipeline ${config.name}: weights: no resource named ${unknown.join(', ')} (it has ${allResources.join(', ')})`,
          );
        }
      }
      this.#config.set(config.name, weights);
    }
  }

  /** True when some pipeline weighs its units by their last run. */
  get learns(): boolean {
    return [...this.#config.values()].some((w) => w === 'last_run');
  }

  /** Records of a unit's last complete run, for `last_run` weights. */
  learn(unit: Unit, records: number): void {
    if (this.#config.get(unit.pipeline) === 'last_run') this.#learned.set(unit.id, Math.max(1, records));
  }

  /** The weight this replica reports for a unit; undefined when it does not know it. */
  of(unit: Unit): number | undefined {
    const weights = this.#config.get(unit.pipeline);
    if (weights === undefined) return 1;
    if (weights === 'last_run') return this.#learned.get(unit.id);
    return weights[unit.resource] ?? 1;
  }
}
