import sesEmulator from 'aws-ses-v2-local';
import { freePort } from '../../tools/local/free-port';

/** The aws-ses-v2-local emulator on a free port of 127.0.0.1, as the notifier's tests send to it. */
export interface RunningSesEmulator {
  /** The endpoint an SES client sends to, and whose `/store` lists what was sent. */
  endpoint: string;
  /** Forgets every stored email. */
  clear(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSesEmulator(): Promise<RunningSesEmulator> {
  const port = await freePort();
  const server = await sesEmulator({ host: '127.0.0.1', port });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    async clear() {
      const response = await fetch(`${endpoint}/clear-store`, { method: 'POST' });
      if (response.status !== 200) throw new Error(`the SES emulator did not clear its store: HTTP ${response.status}`);
    },
    stop() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
