/**
 * `npm start`'s confirmers (multi-region confirmation, README "Multi-region confirmation"): one
 * serverless-offline process of serverless.confirm.yml per region, named as monitors.yml's
 * `confirm.regions` name them, each probing from a loopback address of its own so that a target on
 * this machine can fail for one vantage point only.
 */
import type { ChildProcess } from 'node:child_process';
import { ConfigError } from '../../lib/domain/errors';
import type { ConfirmSettings } from '../../lib/domain/types';
import { freePort } from './free-port';
import { spawnOffline } from './offline';

/** How many confirmers run when monitors.yml has `confirm` and LOCAL_CONFIRMERS is unset (fewer if fewer regions are listed). */
export const DEFAULT_LOCAL_CONFIRMERS = 2;

/** The home probe's source address; the confirmers' follow it: 127.0.0.2, 127.0.0.3 … */
export const HOME_SOURCE_ADDRESS = '127.0.0.1';

/** The n-th confirmer's source address (from 0): 127.0.0.2 for the first. */
export function confirmerSourceAddress(index: number): string {
  return `127.0.0.${2 + index}`;
}

/**
 * The regions to run a local confirmer for: the first `requested` (LOCAL_CONFIRMERS) of
 * `confirm.regions`, or the first DEFAULT_LOCAL_CONFIRMERS when unset. Throws a ConfigError when
 * more are asked for than the monitors file lists.
 */
export function localConfirmerRegions(confirm: ConfirmSettings | undefined, requested: number | undefined, monitorsFile: string): string[] {
  const regions = confirm?.regions ?? [];
  if (requested === undefined) return regions.slice(0, DEFAULT_LOCAL_CONFIRMERS);
  if (requested > regions.length) {
    const listed = confirm === undefined ? 'has no `confirm`' : `lists ${regions.length} confirm region${regions.length === 1 ? '' : 's'}`;
    throw new ConfigError(`environment variable LOCAL_CONFIRMERS: ${requested} confirmers asked for, but ${monitorsFile} ${listed}`);
  }
  return regions.slice(0, requested);
}

export interface LocalConfirmer {
  region: string;
  /** The loopback address its checks are sent from. */
  sourceAddress: string;
  /** serverless-offline's Lambda API, which the home probe invokes it through. */
  endpoint: string;
  lambdaPort: number;
  /** serverless-esbuild's work folder, relative to the project (removed when the stack stops). */
  workFolder: string;
  process: ChildProcess;
}

export interface LocalConfirmerOptions {
  root: string;
  stage: string;
  /** A folder name of its own under which each confirmer builds (`<workRoot>-<region>`). */
  workRoot: string;
  verbose: boolean;
}

/**
 * Starts a confirmer for each region, all at once, on free ports. They answer once their Lambda
 * API listens (waitForConfirmers): serverless-esbuild builds the handler before that.
 */
export async function startLocalConfirmers(regions: readonly string[], options: LocalConfirmerOptions): Promise<LocalConfirmer[]> {
  return Promise.all(
    regions.map(async (region, index) => {
      const [lambdaPort, httpPort] = [await freePort(), await freePort()];
      const sourceAddress = confirmerSourceAddress(index);
      const workFolder = `${options.workRoot}-${region}`;
      const child = spawnOffline({
        root: options.root,
        config: 'serverless.confirm.yml',
        stage: options.stage,
        region,
        httpPort,
        lambdaPort,
        verbose: options.verbose,
        label: region,
        env: {
          UPTIME_LOCAL_SOURCE_ADDRESS: sourceAddress,
          // Local targets are on 127.0.0.1; deployed confirmers refuse private addresses.
          UPTIME_CONFIRM_BLOCK_PRIVATE_ADDRESSES: 'false',
          UPTIME_LOCAL_WORK_FOLDER: workFolder,
        },
      });
      return { region, sourceAddress, endpoint: `http://127.0.0.1:${lambdaPort}`, lambdaPort, workFolder, process: child };
    }),
  );
}

/** CONFIRM_ENDPOINTS for the home probe: region to its local confirmer's Lambda endpoint, as JSON. */
export function confirmEndpoints(confirmers: readonly LocalConfirmer[]): string {
  return JSON.stringify(Object.fromEntries(confirmers.map((confirmer) => [confirmer.region, confirmer.endpoint])));
}

/**
 * Resolves once every confirmer's Lambda API answers; throws naming a confirmer that exited or did
 * not answer within `timeoutMs`. Stops waiting when `isStopping()`.
 */
export async function waitForConfirmers(confirmers: readonly LocalConfirmer[], timeoutMs: number, isStopping: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const waiting = new Set(confirmers);
  while (waiting.size > 0 && !isStopping()) {
    for (const confirmer of waiting) {
      if (confirmer.process.exitCode !== null || confirmer.process.signalCode !== null) {
        throw new ConfirmerStartError(`the confirmer of ${confirmer.region} exited during start-up; run \`npm start -- --verbose\` to see why`);
      }
      if (await answers(confirmer.endpoint)) waiting.delete(confirmer);
    }
    if (waiting.size === 0) return;
    if (Date.now() > deadline) {
      const regions = [...waiting].map((confirmer) => confirmer.region).join(', ');
      throw new ConfirmerStartError(`the confirmer of ${regions} did not answer within ${Math.round(timeoutMs / 1000)} s; run \`npm start -- --verbose\` to see why`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A confirmer that did not come up; its message is for the user as it stands. */
export class ConfirmerStartError extends Error {
  override readonly name = 'ConfirmerStartError';
}

/** Whether serverless-offline's Lambda API at `endpoint` answers at all (any status: its routes need a function name). */
async function answers(endpoint: string): Promise<boolean> {
  try {
    await fetch(endpoint, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}
