import { resolveConnection } from '@siphon/sink-kafka';
import kafkajs from 'kafkajs';
import { unitsTopicOf } from '../cluster/run-group.js';
import { listUnits, type Unit } from '../cluster/units.js';
import type { Logger } from '../logging/logger.js';
import type { PipelineRunner } from '../pipeline/pipeline-runner.js';
import { kafkaConnection } from '../pipeline/sink-options.js';

const { AssignerProtocol } = kafkajs;

/** The replica that owns a unit, as the group coordinator describes the group. */
export interface Owner {
  member_id: string;
  client_host: string;
  /** The control-plane address the replica announced (`SIPHON_API_ADVERTISE_URL`), if any. */
  api: string | null;
  /** This replica. */
  local: boolean;
}

/**
 * Who owns which unit with `--group`: Kafka's DescribeGroups answer holds every member's join
 * metadata (where siphon puts the member's API address) and its assignment (partition i of the
 * units topic is unit i). Cached for a couple of seconds.
 */
export class GroupDirectory {
  readonly #admin: kafkajs.Admin;
  readonly #groupId: string;
  readonly #topic: string;
  readonly #units: readonly Unit[];
  readonly #self: () => string | undefined;
  readonly #log: Logger;
  #connected: Promise<void> | undefined;
  #cache: { at: number; members: Promise<Owner[]>; owners: Promise<Map<string, Owner>> } | undefined;

  constructor(options: {
    kafka: kafkajs.Kafka;
    groupId: string;
    topic: string;
    units: readonly Unit[];
    self: () => string | undefined;
    logger: Logger;
  }) {
    this.#admin = options.kafka.admin();
    this.#groupId = options.groupId;
    this.#topic = options.topic;
    this.#units = options.units;
    this.#self = options.self;
    this.#log = options.logger;
  }

  /** Unit id → owner; units the group has not assigned (a rebalance is going) are missing. */
  owners(): Promise<Map<string, Owner>> {
    return this.#describe().owners;
  }

  /** Control-plane addresses of the other members. */
  async peers(): Promise<string[]> {
    const members = await this.#describe().members;
    return members.filter((m) => !m.local && m.api).map((m) => m.api as string);
  }

  #describe(): { members: Promise<Owner[]>; owners: Promise<Map<string, Owner>> } {
    if (this.#cache && Date.now() - this.#cache.at < 2000) return this.#cache;
    const described = (async () => {
      this.#connected ??= this.#admin.connect();
      await this.#connected;
      const { groups } = await this.#admin.describeGroups([this.#groupId]);
      const members: Array<Owner & { partitions: number[] }> = [];
      for (const m of groups[0]?.members ?? []) {
        let api: string | null = null;
        try {
          const meta = AssignerProtocol.MemberMetadata.decode(m.memberMetadata);
          const info = JSON.parse(meta?.userData?.toString('utf8') || '{}') as { api?: unknown };
          if (typeof info.api === 'string') api = info.api;
        } catch {
          // a member of another version: its address stays unknown
        }
        const assignment =
          m.memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(m.memberAssignment) : null;
        members.push({
          member_id: m.memberId,
          client_host: m.clientHost.replace(/^\//, ''),
          api,
          local: api !== null && api === this.#self(),
          partitions: assignment?.assignment[this.#topic] ?? [],
        });
      }
      return members;
    })();
    const entry = {
      at: Date.now(),
      members: described.then((ms) => ms.map(({ partitions: _, ...owner }) => owner)),
      owners: described.then((ms) => {
        const out = new Map<string, Owner>();
        for (const { partitions, ...owner } of ms) {
          for (const p of partitions) {
            const unit = this.#units[p];
            if (unit) out.set(unit.id, owner);
          }
        }
        return out;
      }),
    };
    described.catch((error: unknown) => {
      this.#cache = undefined;
      this.#connected = undefined;
      this.#log.warn({ err: error }, 'control plane: describing the group failed');
    });
    this.#cache = entry;
    return entry;
  }

  async close(): Promise<void> {
    await this.#admin.disconnect().catch(() => {});
  }
}

/** The directory of the group `siphon run --group` joins with these runners (same units, same topic). */
export function groupDirectoryFor(
  runners: readonly PipelineRunner[],
  group: { groupId: string; topic?: string },
  self: () => string | undefined,
  logger: Logger,
): GroupDirectory | undefined {
  const first = runners[0];
  if (!first) return undefined;
  return new GroupDirectory({
    kafka: controlClient(first.config.kafka),
    groupId: group.groupId,
    topic: unitsTopicOf(runners, group.topic),
    units: listUnits(runners.map((r) => ({ name: r.config.name, resources: r.resourceNames }))),
    self,
    logger,
  });
}

/**
 * The port has no DescribeGroups yet, so the directory keeps its own quiet kafkajs admin client
 * (a build fix after merging the port: `kafkaClient` left the runner's cluster module).
 */
function controlClient(config: PipelineRunner['config']['kafka']): kafkajs.Kafka {
  const connection = resolveConnection(kafkaConnection(config));
  return new kafkajs.Kafka({
    brokers: connection.brokers,
    clientId: `${connection.clientId}-control`,
    ...(connection.ssl === undefined ? {} : { ssl: connection.ssl }),
    ...(connection.sasl ? { sasl: connection.sasl as kafkajs.SASLOptions } : {}),
    connectionTimeout: connection.connectionTimeout,
    requestTimeout: connection.requestTimeout,
    retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 10_000 },
    logLevel: kafkajs.logLevel.NOTHING,
  });
}
