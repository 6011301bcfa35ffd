export { asError, ERROR_CODE, hasMarker, SiphonError, type SiphonErrorOptions } from './siphon-error.js';
