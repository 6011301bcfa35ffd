import { KafkaSinkError } from './errors.js';

export interface TopicNameParts {
  prefix: string;
  pipeline?: string;
  source: string;
  resource: string;
}

const PLACEHOLDER = /\{(\w+)\}/g;
const LEGAL_TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

/**
 * Renders a topic name template such as `{prefix}.{source}.{resource}`. Placeholders: `prefix`,
 * `pipeline`, `source`, `resource`. The result must be a legal Kafka topic name.
 */
export function topicName(template: string, parts: TopicNameParts): string {
  const name = template.replace(PLACEHOLDER, (whole, key: string) => {
    const value = (parts as unknown as Record<string, string | undefined>)[key];
    if (value === undefined) {
      throw new KafkaSinkError(
        'INVALID_OPTIONS',
        `topics.template "${template}": unknown placeholder ${whole} (allowed: {prefix}, {pipeline}, {source}, {resource})`,
      );
    }
    return value;
  });
  assertTopicName(name, `topic name from template "${template}"`);
  return name;
}

/** 1-249 characters of [A-Za-z0-9._-], and neither `.` nor `..`. */
export function legalTopicName(name: string): boolean {
  return LEGAL_TOPIC.test(name) && name !== '.' && name !== '..';
}

export function assertTopicName(name: string, what: string): void {
  if (!legalTopicName(name)) {
    throw new KafkaSinkError(
      'INVALID_OPTIONS',
      `${what} is "${name}": a Kafka topic name is 1-249 characters of [A-Za-z0-9._-]`,
    );
  }
}

/**
 * The transactional id of one (pipeline, source, resource): stable across runs, so a new run
 * fences a zombie of the previous one.
 */
export function transactionalId(prefix: string, pipeline: string, source: string, resource: string): string {
  return `${prefix}-${pipeline}-${source}-${resource}`;
}
