import { stat } from 'node:fs/promises';

/** Whether `path` exists; errors other than "no such file" (a permission error, say) are thrown, not taken for absence. */
export const pathExists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    (e: unknown) => ((e as NodeJS.ErrnoException | null)?.code === 'ENOENT' ? false : Promise.reject(e)),
  );
