import { Type, type Static } from '@sinclair/typebox';
import { ERROR_CODES } from '../util/error-status.js';

const NullableString = Type.Union([Type.String(), Type.Null()]);

export const SessionView = Type.Object(
  {
    id: Type.String(),
    role: Type.String(),
    database: NullableString,
    schema: NullableString,
    warehouse: NullableString,
  },
  { description: 'A SQL session and its current context (role, database, schema, warehouse).' },
);
export type SessionView = Static<typeof SessionView>;

export const SessionParams = Type.Object({ id: Type.String({ minLength: 1 }) });
export type SessionParams = Static<typeof SessionParams>;

export const CreateSessionBody = Type.Object(
  {
    role: Type.Optional(Type.String({ minLength: 1 })),
    database: Type.Optional(Type.String({ minLength: 1 })),
    schema: Type.Optional(Type.String({ minLength: 1 })),
    warehouse: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
export type CreateSessionBody = Static<typeof CreateSessionBody>;

export const StatementsBody = Type.Object(
  {
    sql: Type.String({ minLength: 1, description: 'One or more statements separated by `;`.' }),
    sessionId: Type.Optional(Type.String({ minLength: 1, description: 'Omit to run in a new session (returned).' })),
    bindings: Type.Optional(Type.Array(Type.Unknown(), { description: 'Values for `?` placeholders, in order.' })),
    resultFormat: Type.Optional(
      Type.Union([Type.Literal('rows'), Type.Literal('columns')], {
        description:
          '`rows` (default): each query result in `rows`, one array per row. `columns`: in `columnData`, one array per column (`rows` empty), far cheaper to build and parse for large reads.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type StatementsBody = Static<typeof StatementsBody>;

export const StatementResultSchema = Type.Object({
  statement: Type.String(),
  kind: Type.Union([Type.Literal('query'), Type.Literal('command')]),
  columns: Type.Array(Type.Object({ name: Type.String(), type: Type.String({ description: 'Snowflake type name' }) })),
  rows: Type.Array(Type.Array(Type.Unknown())),
  columnData: Type.Optional(Type.Array(Type.Array(Type.Unknown()), { description: 'With resultFormat `columns`: one array per column.' })),
  rowCount: Type.Number(),
  message: Type.Optional(Type.String()),
});

export const StatementsResponse = Type.Object({
  sessionId: Type.String(),
  results: Type.Array(StatementResultSchema),
  session: SessionView,
});
export type StatementsResponse = Static<typeof StatementsResponse>;

export const HealthResponse = Type.Object({
  status: Type.Literal('ok'),
  home: Type.String(),
  pid: Type.Integer(),
  version: Type.String(),
});
export type HealthResponse = Static<typeof HealthResponse>;

export const ErrorResponseSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.Union(ERROR_CODES.map((c) => Type.Literal(c))),
      message: Type.String(),
    }),
  },
  { description: 'Every error response has this shape.' },
);

/** Error responses every route may produce, for the OpenAPI document. */
export const errorResponses = {
  400: ErrorResponseSchema,
  404: ErrorResponseSchema,
  409: ErrorResponseSchema,
  500: ErrorResponseSchema,
};
