"""Decodes Siphon topics with Confluent's own Python client, as an independent reader.

Reads each topic from the beginning with isolation.level=read_committed, decodes keys and values
with confluent_kafka's AvroDeserializer (schemas fetched by id from the registry), and prints one
JSON document: per topic the message and tombstone counts, the distinct keys, the schema ids seen
and the latest decoded value per key (the topic's compacted view).

usage: read_topics.py --bootstrap HOST:PORT --registry URL TOPIC [TOPIC ...]
Exit status 1, with a one-line reason on stderr, when any message fails to decode.
"""

import argparse
import json
import sys
import uuid

from confluent_kafka import Consumer, KafkaError, TopicPartition
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext


def schema_id(raw):
    # Confluent wire format: magic byte 0, then a 4-byte big-endian schema id.
    if raw is None or len(raw) < 5 or raw[0] != 0:
        return None
    return int.from_bytes(raw[1:5], "big")


def key_text(key):
    if isinstance(key, dict):
        return json.dumps(key, sort_keys=True, default=str)
    return json.dumps(key, default=str)


def read_topic(args, registry, topic):
    consumer = Consumer(
        {
            "bootstrap.servers": args.bootstrap,
            "group.id": f"siphon-interop-{uuid.uuid4()}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
            "isolation.level": "read_committed",
        }
    )
    key_deserializer = AvroDeserializer(registry)
    value_deserializer = AvroDeserializer(registry)
    metadata = consumer.list_topics(topic, timeout=10)
    if topic not in metadata.topics or metadata.topics[topic].error is not None:
        raise SystemExit(f"topic {topic} does not exist")
    partitions = list(metadata.topics[topic].partitions)
    consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
    pending = set(partitions)
    summary = {"messages": 0, "tombstones": 0, "key_schema_ids": set(), "value_schema_ids": set()}
    latest = {}
    idle_polls = 0
    while pending:
        message = consumer.poll(1.0)
        if message is None:
            idle_polls += 1
            if idle_polls > args.timeout:
                raise SystemExit(f"topic {topic}: no end of partitions {sorted(pending)} after {args.timeout}s")
            continue
        idle_polls = 0
        if message.error():
            if message.error().code() == KafkaError._PARTITION_EOF:
                pending.discard(message.partition())
                continue
            raise SystemExit(f"topic {topic}: {message.error()}")
        summary["messages"] += 1
        key = key_deserializer(message.key(), SerializationContext(topic, MessageField.KEY))
        summary["key_schema_ids"].add(schema_id(message.key()))
        if message.value() is None:
            summary["tombstones"] += 1
            latest[key_text(key)] = None
            continue
        value = value_deserializer(message.value(), SerializationContext(topic, MessageField.VALUE))
        summary["value_schema_ids"].add(schema_id(message.value()))
        latest[key_text(key)] = value
    consumer.close()
    compacted = {k: v for k, v in latest.items() if v is not None}
    return {
        "messages": summary["messages"],
        "tombstones": summary["tombstones"],
        "distinct_keys": len(latest),
        "key_schema_ids": sorted(i for i in summary["key_schema_ids"] if i is not None),
        "value_schema_ids": sorted(i for i in summary["value_schema_ids"] if i is not None),
        "compacted": compacted if args.values else None,
        "compacted_keys": sorted(compacted.keys()),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--registry", required=True)
    parser.add_argument("--timeout", type=int, default=30, help="seconds without a message before giving up")
    parser.add_argument("--values", action="store_true", help="include the decoded compacted values")
    parser.add_argument("topics", nargs="+")
    args = parser.parse_args()
    registry = SchemaRegistryClient({"url": args.registry})
    result = {}
    for topic in args.topics:
        try:
            result[topic] = read_topic(args, registry, topic)
        except SystemExit:
            raise
        except Exception as error:  # one line, the way the test reports it
            print(f"read_topics: {topic}: {type(error).__name__}: {error}", file=sys.stderr)
            sys.exit(1)
    json.dump(result, sys.stdout, default=str, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
