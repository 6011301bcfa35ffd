/** A path of keys and list indexes into the pipelines file, e.g. `['pipelines', 0, 'kafka']`. */
export type KeyPath = Array<string | number>;

/** `pipelines[0].kafka.brokers` */
export function formatPath(keyPath: KeyPath): string {
  return keyPath.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${key}` : key),
    '',
  );
}
