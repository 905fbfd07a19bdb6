import { invalid } from '../core/index.js';

/** SageMaker's EndpointName constraint: 1–63 characters, alphanumerics joined by single or repeated hyphens. */
const ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
const MAX_LENGTH = 63;

/**
 * Returns `name` when it is a valid endpoint name, else INVALID_ARGUMENT saying which rule it breaks.
 * Valid names are also safe file names (`<home>/endpoints/<name>.json`).
 */
export function checkEndpointName(name: unknown): string {
  if (typeof name !== 'string') throw invalid(`endpoint name must be a string, got ${name === null ? 'null' : typeof name}`);
  const shown = JSON.stringify(name.length > 80 ? name.slice(0, 80) + '…' : name);
  if (name.length === 0 || name.length > MAX_LENGTH) {
    throw invalid(`endpoint name ${shown} must be 1 to ${MAX_LENGTH} characters long, got ${name.length}`, { name });
  }
  if (!ENDPOINT_NAME.test(name)) {
    throw invalid(
      `endpoint name ${shown} is not valid: use letters, digits and hyphens, starting and ending with a letter or digit (pattern [a-zA-Z0-9](-*[a-zA-Z0-9])*)`,
      { name },
    );
  }
  return name;
}
