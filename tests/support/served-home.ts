import { Engine } from '../../src/engine/index.js';
import { startServer } from '../../src/service/index.js';

/** A server on loopback over `home`, its engine opened anew (a restart keeps nothing but the home). */
export async function serveHome(home: string) {
  const engine = await Engine.open({ home });
  const server = await startServer(engine, { home, host: '127.0.0.1', port: 0 });
  return {
    url: server.url,
    close: async () => {
      await server.close();
      await engine.close();
    },
  };
}

export type ServedHome = Awaited<ReturnType<typeof serveHome>>;
