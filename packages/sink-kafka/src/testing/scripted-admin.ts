/**
 * A fake admin for unit tests that play a broker's answers call by call, deterministically: a
 * script says, per call name, what its next calls do first.
 */
import type { KafkaAdmin } from '../port.js';

/** Per call name, what its next calls do first: throw the error returned, or go on (returning nothing). */
export type CallScript = Record<string, Array<() => Error | undefined>>;

/** Counts calls by name, and plays `script`: `step(name)` takes the name's next entry, throwing its error. */
export function scriptedCalls(script: CallScript): {
  calls: Record<string, number>;
  step(name: string): void;
} {
  const calls: Record<string, number> = {};
  return {
    calls,
    step(name) {
      calls[name] = (calls[name] ?? 0) + 1;
      const error = script[name]?.shift()?.();
      if (error) throw error;
    },
  };
}

/** The calls each broker fake plays its own way (what its topics hold differs). */
type TopicCalls = 'createTopics' | 'topicConfigs' | 'partitions' | 'topicOffsets';

/**
 * A one-broker cluster's admin: `listTopics` (a scripted call, `listTopics`) lists `topics`' names,
 * there are no consumer groups, and deletes and new partitions do nothing unless `calls` plays them.
 */
export function scriptedAdmin(
  step: (name: string) => void,
  topics: ReadonlyMap<string, unknown>,
  calls: Pick<KafkaAdmin, TopicCalls> & Partial<KafkaAdmin>,
): KafkaAdmin {
  return {
    listTopics: async () => {
      step('listTopics');
      return [...topics.keys()];
    },
    describeCluster: async () => ({ brokers: 1, controller: 1 }),
    createPartitions: async () => {},
    deleteTopics: async () => {},
    listGroups: async () => [],
    deleteGroups: async () => {},
    describeGroup: async () => [],
    ...calls,
  };
}
