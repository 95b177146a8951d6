/**
 * The client half of the bench's traffic measurement (forked by traffic.ts, with the bench's own
 * certificate authority in NODE_EXTRA_CA_CERTS): runs the real HttpProber against one URL, warm-up
 * rounds and then measured ones, and reports the CPU each measured round took.
 */
import { buildProbeTarget } from '../../lib/app/probe-targets';
import { HttpProber } from '../../lib/adapters/http-prober';
import { mapWithConcurrency } from '../../lib/domain/concurrency';
import type { MonitorConfig } from '../../lib/domain/types';
import { defaultMonitor } from '../../test/fixtures/monitor-config';

export interface TrafficClientRequest {
  url: string;
  /** Checks a round. */
  checks: number;
  concurrency: number;
  /** Rounds before the measured ones. */
  warmupRounds: number;
  /** Measured rounds. */
  rounds: number;
}

export type TrafficClientReply = { type: 'warm' } | { type: 'done'; cpuMsPerRound: number[]; failures: string[] };

async function checkAll(prober: HttpProber, monitor: MonitorConfig, checks: number, concurrency: number): Promise<string[]> {
  const outcomes = await mapWithConcurrency(Array.from({ length: checks }), concurrency, () => prober.probe(buildProbeTarget(monitor)));
  return outcomes.flatMap((outcome) => (outcome.kind === 'error' ? [`${outcome.reason}: ${outcome.message}`] : outcome.kind !== 'response' || outcome.statusCode === 200 ? [] : [`status ${outcome.statusCode}`]));
}

process.once('message', (request: TrafficClientRequest) => {
  void (async () => {
    const prober = new HttpProber();
    const monitor = defaultMonitor('traffic', request.url);
    for (let round = 0; round < request.warmupRounds; round += 1) await checkAll(prober, monitor, request.checks, request.concurrency);
    process.send?.({ type: 'warm' } satisfies TrafficClientReply);
    await new Promise((resolve) => process.once('message', resolve));
    const cpuMsPerRound: number[] = [];
    const failures: string[] = [];
    for (let round = 0; round < request.rounds; round += 1) {
      const before = process.cpuUsage();
      failures.push(...(await checkAll(prober, monitor, request.checks, request.concurrency)));
      const cpu = process.cpuUsage(before);
      cpuMsPerRound.push((cpu.user + cpu.system) / 1000);
    }
    process.send?.({ type: 'done', cpuMsPerRound, failures: failures.slice(0, 5) } satisfies TrafficClientReply);
  })();
});
process.on('disconnect', () => process.exit(0));
