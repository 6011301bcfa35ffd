export { ensureInfra, type InfraConfig, infraConfig, uniqueName, unreachableInfra } from './infra.js';
