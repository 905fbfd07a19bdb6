import { RecpipeError } from '../core/errors.js';
import type { ScalarFunctionSpec } from '../warehouse/index.js';
import type { AccessControl } from './access-control.js';

/** Snowflake's refusal when the current role lacks USAGE on a function it can name. */
export function insufficientPrivileges(functionName: string, role: string): RecpipeError {
  return new RecpipeError(
    'PERMISSION_DENIED',
    `SQL access control error: Insufficient privileges to operate on function '${functionName.toUpperCase()}' (current role ${role.toUpperCase()} has no USAGE on it)`,
  );
}

/**
 * Wraps a SQL function so each call checks that the calling session's role may use it. The
 * built-ins take ANY, so the check matches grants by name and number of arguments. A call made
 * outside any session (no role recorded) is checked as PUBLIC.
 */
export function guardFunction(spec: ScalarFunctionSpec, access: AccessControl): ScalarFunctionSpec {
  const arity = spec.parameters.length;
  return {
    ...spec,
    invoke: (args, rows, ctx) => {
      const role = ctx.role ?? 'PUBLIC';
      if (!access.hasUsage(role, spec.name, arity)) {
        // A dropped function took its grants with it: it is unknown, not forbidden.
        spec.requireDefined?.(ctx);
        throw insufficientPrivileges(spec.name, role);
      }
      return spec.invoke(args, rows, ctx);
    },
  };
}
