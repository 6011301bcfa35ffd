/**
 * The group protocol of `siphon run --group`: what each replica tells the group when it joins,
 * and how the leader turns that into one set of units per replica. Kafka's group coordinator runs
 * the protocol (membership, session timeouts, generations); this file is only the assignor, as the
 * Kafka port's `GroupAssignor`. Unit i is partition i of the units topic, so ownership is also
 * visible to Kafka's own tools (`kafka-consumer-groups --describe --members --verbose`).
 */
import type { GroupAssignor } from '@siphon/sink-kafka';
import { balanceUnits } from './balance.js';

export const ASSIGNER_NAME = 'siphon-units';
const PROTOCOL_VERSION = 1;

/** What a replica announces in its JoinGroup request. */
export interface MemberInfo {
  /** The unit ids it would run, sorted: partition i of the units topic stands for `units[i]`. */
  units: string[];
  /** The weights it knows (unknown ones are left out). */
  weights: Record<string, number>;
  /** The units it owned in the previous generation; they stay put when that is fair. */
  owned: string[];
  /** The replica's control-plane address (read by src/control/group-directory.ts; not by the assignor). */
  api?: string;
}

export function encodeMemberInfo(info: MemberInfo): Buffer {
  return Buffer.from(JSON.stringify({ v: PROTOCOL_VERSION, ...info }));
}

/** Undefined when the bytes are not a member info this version understands. */
export function decodeMemberInfo(bytes: Buffer | null | undefined): MemberInfo | undefined {
  if (!bytes || bytes.length === 0) return undefined;
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as Partial<MemberInfo> & { v?: unknown };
    if (parsed.v !== PROTOCOL_VERSION) return undefined;
    const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
    if (!strings(parsed.units) || !strings(parsed.owned)) return undefined;
    const weights: Record<string, number> = {};
    for (const [id, w] of Object.entries(parsed.weights ?? {})) {
      if (typeof w === 'number' && Number.isFinite(w) && w > 0) weights[id] = w;
    }
    return { units: parsed.units, weights, owned: parsed.owned };
  } catch {
    return undefined;
  }
}

/** The leader's decision, for its log line. */
export interface AssignmentPlan {
  /** Units per member id (every member listed, possibly with none). */
  members: Map<string, string[]>;
  units: number;
  totalWeight: number;
  /** Members left without units because their unit list differs from the group's, or is unreadable. */
  outvoted: Array<{ memberId: string; units: number }>;
}

export interface AssignerOptions {
  topic: string;
  /** This replica's announcement, read at every join. */
  local: () => MemberInfo;
  /** Called on the leader with each assignment it computed. */
  onPlan?: (plan: AssignmentPlan) => void;
}

/**
 * Members with different unit lists (a rolling update that changes the pipelines file, different
 * `-p`/`-r`) would read the same partition as different units; so only the members sharing the most
 * common list get units (ties: the longer list, then the lexically first), and the others idle until
 * the group agrees again.
 */
export function planAssignment(members: ReadonlyArray<{ memberId: string; info: MemberInfo | undefined }>): {
  plan: AssignmentPlan;
  unitList: string[];
} {
  const byList = new Map<string, { units: string[]; ids: string[] }>();
  for (const { memberId, info } of members) {
    if (!info) continue;
    const key = info.units.join('\n');
    const entry = byList.get(key) ?? { units: info.units, ids: [] };
    entry.ids.push(memberId);
    byList.set(key, entry);
  }
  const winner = [...byList.entries()].sort(
    ([ka, a], [kb, b]) =>
      b.ids.length - a.ids.length || b.units.length - a.units.length || (ka < kb ? -1 : ka > kb ? 1 : 0),
  )[0]?.[1];
  const eligible = new Set(winner?.ids ?? []);
  const unitList = winner?.units ?? [];

  const previousOwner = new Map<string, string>();
  const reported = new Map<string, number[]>();
  for (const { memberId, info } of members) {
    if (!info || !eligible.has(memberId)) continue;
    for (const id of info.owned) previousOwner.set(id, memberId);
    for (const [id, w] of Object.entries(info.weights)) reported.set(id, [...(reported.get(id) ?? []), w]);
  }
  const infoOf = new Map(members.map((m) => [m.memberId, m.info]));
  const units = unitList.map((id) => {
    // The previous owner ran it (or read its state) last, so its figure is the freshest.
    const owner = previousOwner.get(id);
    const fromOwner = owner ? infoOf.get(owner)?.weights[id] : undefined;
    const weight = fromOwner ?? Math.max(1, ...(reported.get(id) ?? [1]));
    return { id, weight };
  });
  const assigned = balanceUnits({ members: [...eligible], units, previousOwner });
  const all = new Map<string, string[]>(members.map((m) => [m.memberId, assigned.get(m.memberId) ?? []]));
  return {
    unitList,
    plan: {
      members: all,
      units: units.length,
      totalWeight: units.reduce((s, u) => s + u.weight, 0),
      outvoted: members
        .filter((m) => !eligible.has(m.memberId))
        .map((m) => ({ memberId: m.memberId, units: m.info?.units.length ?? 0 })),
    },
  };
}

/** The assignor for the port's `groupMembership({ assignor: unitAssigner(...) })`. */
export function unitAssigner(options: AssignerOptions): GroupAssignor {
  return {
    name: ASSIGNER_NAME,
    userData: () => encodeMemberInfo(options.local()),
    assign(members) {
      const decoded = members.map(({ memberId, userData }) => ({
        memberId,
        info: decodeMemberInfo(userData),
      }));
      const { plan, unitList } = planAssignment(decoded);
      options.onPlan?.(plan);
      const partitionOf = new Map(unitList.map((id, index) => [id, index]));
      return new Map(
        members.map(({ memberId }) => [
          memberId,
          (plan.members.get(memberId) ?? []).map((id) => partitionOf.get(id) as number).sort((a, b) => a - b),
        ]),
      );
    },
  };
}
