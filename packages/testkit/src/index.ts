export { ensureInfra, infraConfig, type InfraConfig, uniqueName, unreachableInfra } from './infra.js';
