export { OAuth2AuthProvider } from './auth-provider.js';
export {
  type ClientAuthMethod,
  DEFAULT_EXPIRES_IN_SECONDS,
  DEFAULT_EXPIRY_SKEW_SECONDS,
  DEFAULT_TIMEOUT_SECONDS,
  type OAuth2Config,
  type OAuth2Settings,
  oauth2ConfigSchema,
  oauth2SettingsSchema,
  parseOAuth2Settings,
} from './config.js';
export { OAuth2Error, type OAuth2ErrorCode, type OAuth2ErrorDetails } from './errors.js';
export {
  type GrantType,
  type OAuth2Event,
  type OAuth2EventListener,
  type OAuth2EventName,
  oauth2LogEntry,
  type TokenRequestReason,
} from './events.js';
export {
  createOAuth2AuthFactory,
  type OAuth2AuthFactoryOptions,
  oauth2Auth,
  type RotatedRefreshTokenInfo,
} from './factory.js';
export {
  type AccessToken,
  type CachedAccessToken,
  OAuth2TokenSource,
  type OAuth2TokenSourceHooks,
  type OAuth2TokenSourceOptions,
  type ParsedOAuth2TokenSourceOptions,
} from './token-source.js';
