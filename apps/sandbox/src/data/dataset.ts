/**
 * One resource's records: generated on demand from (seed, resource, index), plus small
 * overlays for what mutations changed — deleted indices, updated indices with their
 * version, and a count of inserted records. Memory grows with mutations, never with size.
 *
 * API order is newest first (created time descending). Index order is creation order, so
 * position 0 of a page is the highest live index, and inserted records appear at the head.
 */
import { hashString, Rng } from './rng.js';
import type { BuildContext, JsonRecord, ResourceSpec, World } from './spec.js';
import { baseUpdatedAt, createdAt, mutatedUpdatedAt } from './time.js';

export class Dataset {
  private insertedCount = 0;
  private readonly deletedSorted: number[] = [];
  private readonly deleted = new Set<number>();
  private readonly versions = new Map<number, number>();
  private readonly resourceKey: number;

  constructor(
    readonly spec: ResourceSpec,
    /** Records before any insert. */
    readonly baseSize: number,
    private readonly seed: number,
    private readonly world: World,
  ) {
    this.resourceKey = hashString(`${spec.api}.${spec.name}`);
  }

  /** Indices ever allocated (base plus inserted), deleted ones included. */
  get allocated(): number {
    return this.baseSize + this.insertedCount;
  }

  get liveCount(): number {
    return this.allocated - this.deleted.size;
  }

  isLive(index: number): boolean {
    return index >= 0 && index < this.allocated && !this.deleted.has(index);
  }

  idOf(index: number): string {
    return this.spec.idOf(this.seed, index);
  }

  record(index: number): JsonRecord {
    const rng = new Rng(this.seed, this.resourceKey, index);
    const created = createdAt(index, this.baseSize, rng.next());
    const baseUpdated = baseUpdatedAt(created, rng.next());
    const version = this.versions.get(index) ?? 0;
    const context: BuildContext = {
      seed: this.seed,
      index,
      rng,
      created,
      updated: version > 0 ? mutatedUpdatedAt(created, version, index) : baseUpdated,
      version,
      id: this.idOf(index),
      world: this.world,
    };
    return this.spec.build(context);
  }

  /** Indices of `limit` records starting `offset` records from the head, in API order. */
  pageIndices(offset: number, limit: number): number[] {
    const live = this.liveCount;
    if (offset >= live || limit <= 0) return [];
    const count = Math.min(limit, live - offset);
    const indices: number[] = new Array(count);
    let index = this.indexAtAscending(live - 1 - offset);
    for (let k = 0; k < count; k++) {
      indices[k] = index;
      index--;
      while (index >= 0 && this.deleted.has(index)) index--;
    }
    return indices;
  }

  page(offset: number, limit: number): JsonRecord[] {
    return this.pageIndices(offset, limit).map((index) => this.record(index));
  }

  /** Every live index in API order (newest first). */
  *indicesInApiOrder(): Generator<number> {
    for (let index = this.allocated - 1; index >= 0; index--) {
      if (!this.deleted.has(index)) yield index;
    }
  }

  /** Every live index in ascending id order (what digests hash). */
  *indicesInIdOrder(): Generator<number> {
    const { spec, seed } = this;
    if (spec.idsFollowIndex || !spec.idSortKey || !spec.indexOfIdSortKey) {
      for (let index = 0; index < this.allocated; index++) {
        if (!this.deleted.has(index)) yield index;
      }
      return;
    }
    // 8 bytes per record: the sort keys are a permutation of the indices, inverted after sorting.
    const keys = new Float64Array(this.liveCount);
    let n = 0;
    for (let index = 0; index < this.allocated; index++) {
      if (!this.deleted.has(index)) keys[n++] = spec.idSortKey(seed, index);
    }
    keys.sort();
    for (const key of keys) yield spec.indexOfIdSortKey(seed, key);
  }

  /** Appends `count` new records; they are the newest, so they lead page 1. */
  insert(count: number): number[] {
    const indices: number[] = [];
    for (let k = 0; k < count; k++) indices.push(this.allocated + k);
    this.insertedCount += count;
    return indices;
  }

  delete(indices: readonly number[]): void {
    for (const index of indices) {
      if (!this.isLive(index)) continue;
      this.deleted.add(index);
      this.deletedSorted.splice(this.countDeletedAtOrBelow(index), 0, index);
    }
  }

  /** Marks records updated by mutation number `version` (versions only grow). */
  update(indices: readonly number[], version: number): void {
    for (const index of indices) if (this.isLive(index)) this.versions.set(index, version);
  }

  /** `count` distinct live indices chosen at random (all of them if fewer are live). */
  pickLive(count: number, rng: Rng): number[] {
    const live = this.liveCount;
    const wanted = Math.min(Math.max(0, Math.floor(count)), live);
    if (wanted === 0) return [];
    if (wanted * 2 <= live) {
      const chosen = new Set<number>();
      while (chosen.size < wanted) chosen.add(this.indexAtAscending(rng.int(0, live - 1)));
      return [...chosen];
    }
    // Selection sampling: one pass, each live index kept with the right probability.
    const chosen: number[] = [];
    let remaining = live;
    for (let index = 0; index < this.allocated && chosen.length < wanted; index++) {
      if (this.deleted.has(index)) continue;
      if (rng.next() * remaining < wanted - chosen.length) chosen.push(index);
      remaining--;
    }
    return chosen;
  }

  /** The live index at `position` in ascending index order. */
  private indexAtAscending(position: number): number {
    if (this.deletedSorted.length === 0) return position;
    // Smallest fixed point of i = position + (deleted indices <= i): the (position+1)-th live index.
    let index = position;
    for (;;) {
      const next = position + this.countDeletedAtOrBelow(index);
      if (next === index) return index;
      index = next;
    }
  }

  private countDeletedAtOrBelow(index: number): number {
    const sorted = this.deletedSorted;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((sorted[mid] as number) <= index) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
