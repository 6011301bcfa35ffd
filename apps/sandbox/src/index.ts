export { TOKEN_PATH } from './apis/accounts.js';
export { ORGANIZATION_HEADER } from './apis/billing.js';
export {
  ANALYTICS_DEFAULT_PER_PAGE,
  BILLING_DEFAULT_PER_PAGE,
  BILLING_MAX_PER_PAGE,
  type CatalogApi,
  type CatalogResource,
  catalog,
  PAGE_BOUNDARY_SIZES,
} from './data/catalog.js';
export { canonicalJson, type Digest, digestRecords } from './data/digest.js';
export { sampleRecords } from './data/sample.js';
export type { ApiName } from './data/spec.js';
export type { Mutation, MutationResult } from './data/store.js';
export {
  FAULT_KINDS,
  type Fault,
  type FaultApi,
  type FaultJson,
  type FaultKind,
  faultFromJson,
} from './faults.js';
export { type ManualClock, manualClock } from './manual-clock.js';
export type { SandboxOptions } from './options.js';
export type { RateLimit } from './rate-limit.js';
export { type Sandbox, type SandboxResource, startSandbox } from './sandbox.js';
export type { SandboxStats } from './stats.js';
export { type Credentials, TOO_MANY_TOKENS_BODY, type TokenLimit } from './tokens.js';
