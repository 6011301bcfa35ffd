/** A unit to place, with its relative cost (1 unless weights say otherwise). */
export interface WeightedUnit {
  id: string;
  weight: number;
}

export interface BalanceInput {
  /** Member ids of the replicas that may take units. */
  members: readonly string[];
  units: readonly WeightedUnit[];
  /** Who owned each unit before this rebalance, when known: it keeps the unit if that stays fair. */
  previousOwner?: ReadonlyMap<string, string>;
}

/**
 * Spreads units over members so that every member's total weight is as even as it can be, and
 * moves as few units as that allows.
 *
 * 1. Sticky pass: a unit stays with its previous owner while that owner's load stays within an
 *    even share (total weight / members).
 * 2. The rest go heaviest first to the least-loaded member (fewest units, then member id, break
 *    ties), the classic longest-processing-time rule. With equal weights this gives every member
 *    ⌊n/m⌋ or ⌈n/m⌉ units.
 *
 * Deterministic: the same input gives the same assignment on whichever replica leads the group.
 */
export function balanceUnits(input: BalanceInput): Map<string, string[]> {
  const members = [...new Set(input.members)].sort();
  const out = new Map<string, string[]>(members.map((m) => [m, []]));
  if (members.length === 0) return out;
  const load = new Map<string, number>(members.map((m) => [m, 0]));
  const units = [...input.units].sort((a, b) => b.weight - a.weight || compare(a.id, b.id));
  const total = units.reduce((sum, u) => sum + u.weight, 0);
  const share = total / members.length;
  const place = (unit: WeightedUnit, member: string) => {
    out.get(member)?.push(unit.id);
    load.set(member, (load.get(member) ?? 0) + unit.weight);
  };

  const rest: WeightedUnit[] = [];
  for (const unit of units) {
    const owner = input.previousOwner?.get(unit.id);
    if (owner !== undefined && out.has(owner) && (load.get(owner) ?? 0) + unit.weight <= share + 1e-9) {
      place(unit, owner);
    } else rest.push(unit);
  }
  for (const unit of rest) {
    const owner = input.previousOwner?.get(unit.id);
    let best = members[0] as string;
    for (const member of members.slice(1)) {
      const diff = (load.get(member) ?? 0) - (load.get(best) ?? 0);
      if (diff < -1e-9) best = member;
      else if (diff <= 1e-9) {
        // Equal load: the previous owner first, then the member with fewer units.
        if (best === owner) continue;
        if (member === owner || unitsOf(out, member) < unitsOf(out, best)) best = member;
      }
    }
    place(unit, best);
  }
  for (const list of out.values()) list.sort(compare);
  return out;
}

function unitsOf(out: Map<string, string[]>, member: string): number {
  return out.get(member)?.length ?? 0;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
