// biome-ignore lint/suspicious/noExplicitAny: commander passes each action its own argument list
type Entry = (...args: any[]) => unknown;

/**
 * A command's action that imports the command's module only when it runs: `recpipe train` then loads
 * the trainer and not the service, the SQL dialect or the AWS signer, and `--help` loads none of them.
 */
export function lazy<M extends { [P in K]: Entry }, K extends keyof M>(
  load: () => Promise<M>,
  name: K,
): (...args: Parameters<M[K]>) => Promise<void> {
  return async (...args) => {
    await (await load())[name](...args);
  };
}
