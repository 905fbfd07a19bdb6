/** What CREATE API INTEGRATION records. */
export interface ApiIntegration {
  readonly name: string;
  /** AWS_API_GATEWAY, AWS_PRIVATE_API_GATEWAY, AZURE_API_MANAGEMENT, GOOGLE_API_GATEWAY … as given. */
  readonly provider: string;
  readonly roleArn: string | null;
  /**
   * Name of the secret (environment RECPIPE_SECRET_<NAME> or `<home>/secrets.json`) whose value is
   * sent as x-api-key. The key itself is never in the catalog, where SQL users could select it.
   */
  readonly apiKeySecret: string | null;
  readonly enabled: boolean;
  readonly allowedPrefixes: readonly string[];
  readonly blockedPrefixes: readonly string[];
  /** The IAM user Snowflake would assume from; stable for the integration's name across OR REPLACE. */
  readonly iamUserArn: string;
  /** The external id a trust policy names; new on every CREATE (OR REPLACE), as in Snowflake. */
  readonly externalId: string;
  readonly owner: string;
  readonly comment: string | null;
  readonly createdOn?: string;
}

export type Compression = 'AUTO' | 'NONE' | 'GZIP';

/** What CREATE EXTERNAL FUNCTION records; a function is identified by schema, name and argument count. */
export interface ExternalFunction {
  readonly database: string;
  readonly schema: string;
  readonly name: string;
  readonly argNames: readonly string[];
  /** Snowflake type names (VARCHAR, NUMBER, FLOAT, VARIANT …), canonical so signatures compare. */
  readonly argTypes: readonly string[];
  readonly returnsNotNull: boolean;
  /** RETURNS NULL ON NULL INPUT: a row with any NULL argument is answered NULL without a call. */
  readonly nullOnNullInput: boolean;
  readonly integration: string;
  readonly url: string;
  /** Sent as `sf-custom-<name>: value`, as Snowflake sends HEADERS. */
  readonly headers: Readonly<Record<string, string>>;
  readonly maxBatchRows: number | null;
  readonly compression: Compression;
  readonly owner: string;
  readonly comment: string | null;
  readonly createdOn?: string;
}

export const signatureOf = (f: Pick<ExternalFunction, 'name' | 'argTypes'>): string => `${f.name}(${f.argTypes.join(', ')})`;
