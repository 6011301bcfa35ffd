export { connectionsTo } from './connections.js';
export { type ContainerInfra, containerEngineAnswers, startContainerInfra } from './containers.js';
export * from './e2e-support.js';
export { ensureInfra, type InfraConfig, infraConfig, uniqueName, unreachableInfra } from './infra.js';
export * from './kafka-view.js';
export { PRIVATE_INFRA_HOOK_MS, type PrivateInfra, startPrivateInfra } from './private-infra.js';
export * from './python-seed.js';
export * from './schema-check.js';
export * from './schema-sweep.js';
