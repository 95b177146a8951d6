/**
 * The bench's traffic measurement alone, in about half a minute (`npm run bench` runs it after the
 * scenarios, DynamoDB Local and the rest):
 *
 *   npx tsx tools/bench/traffic-run.ts [--checks 1000 --concurrency 64 --repeat 1 --cost-1k 0.00391]
 *
 * Prints what a check costs over plain HTTP and over HTTPS (CPU, bytes; traffic.ts), `--repeat` times, and the
 * median HTTPS figure with what the TLS work adds to a monitor-month at 1,000 monitors; given the
 * plain-HTTP `cost_1k` of a full bench run (`--cost-1k`), the HTTPS cost per monitor-month too,
 * with the account's free 100 GB of data transfer out.
 */
import { parseArgs } from 'node:util';
import { DEPLOY_PARAMETER_DEFAULTS } from '../../deploy/deploy-settings';
import { INTERNET_PRICES, internetChecksCost } from './cost';
import { measureCheckTraffic, type CheckTraffic } from './traffic';

const MONITORS = 1000;

const { values: args } = parseArgs({
  options: {
    checks: { type: 'string', default: String(MONITORS) },
    concurrency: { type: 'string', default: DEPLOY_PARAMETER_DEFAULTS.probeConcurrency },
    repeat: { type: 'string', default: '1' },
    'cost-1k': { type: 'string' },
  },
});

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

async function main(): Promise<void> {
  const checks = Number(args.checks);
  const concurrency = Number(args.concurrency);
  const rounds: CheckTraffic[][] = [];
  for (let round = 0; round < Number(args.repeat); round += 1) {
    const traffic = await measureCheckTraffic({ checks, concurrency, latencyMs: 20 });
    rounds.push(traffic);
    console.log(
      traffic
        .map((entry) => `traffic ${entry.protocol}: ${entry.cpuMsPerCheck.toFixed(3)} ms of CPU, ${Math.round(entry.bytesOutPerCheck)} bytes out, ${Math.round(entry.bytesInPerCheck)} bytes in per check`)
        .join('; '),
    );
  }
  const of = (protocol: 'http' | 'https') => rounds.map((traffic) => traffic.find((entry) => entry.protocol === protocol) as CheckTraffic);
  const httpsCpuMs = median(of('https').map((entry) => entry.cpuMsPerCheck));
  const httpCpuMs = median(of('http').map((entry) => entry.cpuMsPerCheck));
  const extra = internetChecksCost({ monitors: MONITORS, extraCpuMsPerCheck: Math.max(0, httpsCpuMs - httpCpuMs), bytesOutPerCheck: median(of('https').map((entry) => entry.bytesOutPerCheck)) });
  const base = args['cost-1k'] === undefined ? undefined : Number(args['cost-1k']);
  const perMonitor = base === undefined ? undefined : base + (extra.extraCompute + extra.transferAfterAllowance) / MONITORS;
  console.log(
    `traffic: median of ${rounds.length}: https ${httpsCpuMs.toFixed(3)} ms, http ${httpCpuMs.toFixed(3)} ms of CPU a check (${checks} checks at concurrency ${concurrency}); ` +
      `at ${MONITORS} HTTPS monitors TLS adds $${(extra.extraCompute / MONITORS).toFixed(5)} a monitor-month, data transfer out ${extra.transferGb.toFixed(1)} GB ` +
      `($${(extra.transferAfterAllowance / MONITORS).toFixed(5)} a monitor-month past the free ${INTERNET_PRICES.freeDataTransferOutGb} GB)`,
  );
  console.log(`bench: https_cpu_ms=${httpsCpuMs.toFixed(3)} cost_1k_https=$${perMonitor === undefined ? 'n/a' : perMonitor.toFixed(5)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
