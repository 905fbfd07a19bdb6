import { RecpipeError, invalid } from '../core/errors.js';
import type { ApiIntegration } from './records.js';

/**
 * Snowflake's rule for an external function's URL: it must start with one of its integration's
 * API_ALLOWED_PREFIXES and with none of its API_BLOCKED_PREFIXES (plain string prefixes), and the
 * integration must be enabled. Snowflake only takes https; recpipe also takes http so two local
 * processes can talk over loopback without certificates.
 */
export function checkUrl(url: string, integration: ApiIntegration): void {
  if (!URL.canParse(url) || !['http:', 'https:'].includes(new URL(url).protocol)) {
    throw invalid(`SQL compilation error: external function URL '${url}' is not an http(s) URL`);
  }
  if (!integration.enabled) {
    throw new RecpipeError(
      'FAILED_PRECONDITION',
      `SQL compilation error: API integration ${integration.name} is disabled (ENABLED = FALSE); enable it with CREATE OR REPLACE API INTEGRATION … ENABLED = TRUE`,
    );
  }
  if (!integration.allowedPrefixes.some((p) => url.startsWith(p))) {
    throw new RecpipeError(
      'PERMISSION_DENIED',
      `SQL compilation error: Request URL '${url}' is not allowed by API integration ${integration.name}: it matches none of API_ALLOWED_PREFIXES ${list(integration.allowedPrefixes)}`,
    );
  }
  const blocked = integration.blockedPrefixes.find((p) => url.startsWith(p));
  if (blocked !== undefined) {
    throw new RecpipeError(
      'PERMISSION_DENIED',
      `SQL compilation error: Request URL '${url}' is blocked by API integration ${integration.name}: it matches API_BLOCKED_PREFIXES entry '${blocked}'`,
    );
  }
}

const list = (xs: readonly string[]): string => `(${xs.map((x) => `'${x}'`).join(', ')})`;
