import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { StartedTestContainer } from 'testcontainers';
import type { InfraConfig } from './infra.js';
import { freePort } from './ports.js';

// The images docker-compose.yml names; scripts/container-engine.sh builds them where no registry answers.
export const KAFKA_IMAGE = 'apache/kafka:4.1.2';
export const REGISTRY_IMAGE = 'apicurio/apicurio-registry:3.0.9';
const PODMAN_SOCKET = '/run/podman/podman.sock';
const DOCKER_SOCKET = '/var/run/docker.sock';
/** Every container the kit starts carries it: `bash scripts/container-engine.sh sweep` removes leftovers. */
export const TEST_LABEL = { 'siphon.test': 'true' };

function socketAnswers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/**
 * Whether a container engine answers, and if so points testcontainers at it: DOCKER_HOST when set
 * (only unix sockets are probed here), else Docker's socket, else podman's (scripts/container-engine.sh
 * socket start). Podman here cannot pull the Ryuk image and the VM looks like a container to
 * testcontainers, hence Ryuk off (the kit stops its own containers) and the host forced to 127.0.0.1.
 */
export async function containerEngineAnswers(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const fromEnv = env.DOCKER_HOST?.startsWith('unix://')
    ? env.DOCKER_HOST.slice('unix://'.length)
    : undefined;
  if (env.DOCKER_HOST && !fromEnv) return true; // a remote engine: testcontainers will say if it fails
  for (const socket of fromEnv ? [fromEnv] : [DOCKER_SOCKET, PODMAN_SOCKET]) {
    if (!existsSync(socket) || !(await socketAnswers(socket))) continue;
    env.DOCKER_HOST ??= `unix://${socket}`;
    if (socket === PODMAN_SOCKET) {
      env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
      env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
    }
    return true;
  }
  return false;
}

/**
 * testcontainers, loaded when containers are started: importing it costs about half a second of
 * CPU, which every test importing the kit only for its schema sweep or seed helpers (the source
 * packages' unit tests) would otherwise pay.
 */
async function loopbackContainers() {
  const { GenericContainer, Wait } = await import('testcontainers');
  /** Publishes its ports on 127.0.0.1 only (testcontainers' default is every interface). */
  class LoopbackContainer extends GenericContainer {
    protected override async beforeContainerCreated(): Promise<void> {
      for (const bindings of Object.values(this.hostConfig.PortBindings ?? {})) {
        for (const binding of bindings as { HostIp?: string }[]) binding.HostIp = '127.0.0.1';
      }
    }
  }
  return { LoopbackContainer, Wait };
}

/**
 * What Kafka's own tools print once a coordinator has loaded and answers for an id it does not know:
 * DescribeTransactions → TransactionalIdNotFound, DescribeGroups → GroupIdNotFound. While the broker
 * creates and loads __transaction_state or __consumer_offsets they print a loading / not available error.
 */
const TRANSACTIONS_READY = /could not be found|TransactionalIdNotFound/i;
const GROUPS_READY = /GroupIdNotFound|Consumer group '[^']*' does not exist/i;

/**
 * One of Kafka's command-line tools in the broker's container: the image's script where it has one
 * (apache/kafka), else its main class on the broker's jars (the image scripts/container-engine.sh
 * builds where Docker Hub cannot be reached ships only kafka-topics.sh). Arguments are the kit's own.
 */
function kafkaTool(script: string, mainClass: string, args: string[]): string[] {
  const line = args.join(' ');
  return [
    'sh',
    '-c',
    `if [ -x /opt/kafka/bin/${script} ]; then exec /opt/kafka/bin/${script} ${line}; ` +
      `else exec java -cp '/opt/kafka/libs/*' ${mainClass} ${line}; fi`,
  ];
}

/**
 * A fresh broker answers "coordinator is loading" to the first transactions and group requests while
 * it creates __transaction_state and __consumer_offsets: ask both coordinators, with Kafka's own
 * tools inside the container (the kit imports no Kafka client), until they answer, so tests start
 * on a settled broker.
 */
async function waitForCoordinators(kafka: StartedTestContainer, port: number, timeoutMs = 120_000) {
  const bootstrap = `127.0.0.1:${port}`;
  const probes = [
    {
      what: 'transaction coordinator',
      ready: TRANSACTIONS_READY,
      cmd: kafkaTool('kafka-transactions.sh', 'org.apache.kafka.tools.TransactionsCommand', [
        `--bootstrap-server ${bootstrap}`,
        'describe --transactional-id testkit-probe',
      ]),
    },
    {
      what: 'group coordinator',
      ready: GROUPS_READY,
      cmd: kafkaTool(
        'kafka-consumer-groups.sh',
        'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
        [`--bootstrap-server ${bootstrap}`, '--describe --group testkit-probe'],
      ),
    },
  ];
  const deadline = Date.now() + timeoutMs;
  for (const probe of probes) {
    for (;;) {
      const { output } = await kafka.exec(probe.cmd);
      if (probe.ready.test(output)) break;
      if (Date.now() > deadline) {
        const last = output.trim().split('\n').slice(-3).join(' ');
        throw new Error(`Kafka at ${bootstrap}: no ${probe.what} after ${timeoutMs / 1000}s: ${last}`);
      }
      await delay(1000);
    }
  }
}

export interface ContainerInfra extends InfraConfig {
  stop(): Promise<void>;
}

/**
 * Kafka (single KRaft node) and the Apicurio registry as containers on free loopback ports, with the
 * registry's global compatibility set to BACKWARD like infra/infra.sh. If the registry fails to
 * start, Kafka is stopped before the error is thrown: nothing is left running.
 */
export async function startContainerInfra(): Promise<ContainerInfra> {
  const { LoopbackContainer, Wait } = await loopbackContainers();
  const kafkaPort = await freePort();
  const registryPort = await freePort();
  const started: StartedTestContainer[] = [];
  const stop = async () => {
    await Promise.allSettled(started.map((c) => c.stop({ timeout: 10_000 })));
  };
  try {
    const kafka = await new LoopbackContainer(KAFKA_IMAGE)
      .withLabels(TEST_LABEL)
      // The broker listens on the host's port number inside the container too: its transaction
      // coordinator reaches the partition leaders (itself) through the advertised address.
      // Podman 4.3 publishes every EXPOSEd port, so the image's 9092 is listed as well.
      .withExposedPorts({ container: kafkaPort, host: kafkaPort }, 9092)
      .withEnvironment({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: `PLAINTEXT://:${kafkaPort},CONTROLLER://localhost:9093`,
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${kafkaPort}`,
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
        KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
        KAFKA_LOG_CLEANER_BACKOFF_MS: '1000',
      })
      .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
      .withStartupTimeout(180_000)
      .start();
    started.push(kafka);
    await waitForCoordinators(kafka, kafkaPort);
    started.push(
      await new LoopbackContainer(REGISTRY_IMAGE)
        .withLabels(TEST_LABEL)
        .withExposedPorts({ container: 8080, host: registryPort })
        .withEnvironment({ APICURIO_CCOMPAT_USE_CANONICAL_HASH: 'true' })
        .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080).forStatusCode(200))
        .withStartupTimeout(180_000)
        .start(),
    );
    const registryUrl = `http://127.0.0.1:${registryPort}/apis/ccompat/v7`;
    const res = await fetch(`${registryUrl}/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ compatibility: 'BACKWARD' }),
    });
    if (!res.ok)
      throw new Error(`setting the registry's compatibility to BACKWARD answered HTTP ${res.status}`);
    return { brokers: [`127.0.0.1:${kafkaPort}`], registryUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
