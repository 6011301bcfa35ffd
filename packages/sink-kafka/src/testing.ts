/** Test support: the Kafka port in memory (`@siphon/sink-kafka/testing`). */
export { brokerAnswer, FakeKafka, type FakeOperation } from './testing/fake-kafka.js';
