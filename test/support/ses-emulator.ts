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

/**
 * The emulator for one test file: started before its tests, emptied before each one when
 * `clearBeforeEach`, stopped after them. Call it at the top of the file.
 */
export function useSesEmulator(options: { clearBeforeEach?: boolean } = {}): { readonly endpoint: string } {
  let running: RunningSesEmulator | undefined;
  beforeAll(async () => {
    running = await startSesEmulator();
  });
  if (options.clearBeforeEach) beforeEach(() => running?.clear());
  afterAll(() => running?.stop());
  return {
    get endpoint(): string {
      if (!running) throw new Error('the SES emulator is not running: use its endpoint inside a test or hook');
      return running.endpoint;
    },
  };
}
