import type { Adapter, AdapterPayload } from 'oidc-provider';

/**
 * oidc-provider storage in a Map, one per test server. (The provider's own quick-start adapter is
 * shared process-wide and warns on every start.) Expiry is left to the provider's checks.
 */
export function mapAdapter(): new (model: string) => Adapter {
  const store = new Map<string, AdapterPayload>();
  const grants = new Map<string, Set<string>>();
  return class MapAdapter implements Adapter {
    constructor(readonly model: string) {}

    #key(id: string) {
      return `${this.model}:${id}`;
    }

    async upsert(id: string, payload: AdapterPayload): Promise<void> {
      const key = this.#key(id);
      store.set(key, payload);
      if (payload.grantId) {
        const members = grants.get(payload.grantId) ?? new Set();
        grants.set(payload.grantId, members.add(key));
      }
    }

    async find(id: string) {
      return store.get(this.#key(id));
    }

    async findByUserCode(userCode: string) {
      return [...store.values()].find((p) => p.userCode === userCode);
    }

    async findByUid(uid: string) {
      return [...store.values()].find((p) => p.uid === uid);
    }

    async consume(id: string): Promise<void> {
      const payload = store.get(this.#key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string): Promise<void> {
      store.delete(this.#key(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      for (const key of grants.get(grantId) ?? []) store.delete(key);
      grants.delete(grantId);
    }
  };
}
