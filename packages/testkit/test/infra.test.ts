import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { describe, expect, it } from 'vitest';
import { infraConfig, uniqueName } from '../src/index.js';

const { registryUrl } = infraConfig();

// The broker's side (transactions visible to read_committed once committed, never when aborted;
// compacted topics) is checked through the sink's Kafka port on both adapters, in
// packages/sink-kafka/test/integration/port-conformance.test.ts and topics.test.ts.
describe('the local Schema Registry', () => {
  it('registers an Avro schema and serves it back by id', async () => {
    const registry = new SchemaRegistry({ host: registryUrl });
    const subject = `${uniqueName('testkit')}-value`;
    const schema = {
      type: 'record',
      name: 'Probe',
      namespace: 'siphon.testkit',
      fields: [{ name: 'id', type: 'string' }],
    };
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
      { subject },
    );
    const fetched = JSON.parse(await registry.getSchema(id).then((s) => JSON.stringify(s)));
    expect(fetched.name).toBe('siphon.testkit.Probe');
    const encoded = await registry.encode(id, { id: 'x-1' });
    expect(encoded[0]).toBe(0);
    expect(encoded.readUInt32BE(1)).toBe(id);
    expect(await registry.decode(encoded)).toEqual({ id: 'x-1' });
  });
});
