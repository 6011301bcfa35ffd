// The root lives in @siphon/errors (layer 0) so that @siphon/paginators, below core, extends it too.
export { asError, ERROR_CODE, hasMarker, SiphonError, type SiphonErrorOptions } from '@siphon/errors';
