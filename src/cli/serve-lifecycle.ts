import { RecpipeError } from '../core/errors.js';

/** Resolves on the first SIGINT/SIGTERM; a second one exits at once, for when stopping hangs. */
export function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      process.once('SIGINT', () => process.exit(130)).once('SIGTERM', () => process.exit(143));
      process.stderr.write(`received ${signal}, finishing running requests…\n`);
      resolve();
    };
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  });
}

/** Turns a listen failure into an error that says what to do. */
export function listenError(e: unknown, host: string, port: number): unknown {
  const code = (e as { code?: string }).code;
  if (code === 'EADDRINUSE') return new RecpipeError('CONFLICT', `${host}:${port} is already in use; choose another --port`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
    return new RecpipeError('INVALID_ARGUMENT', `cannot listen on ${host}: no such local address`);
  return e;
}
