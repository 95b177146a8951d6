/**
 * The client half of the bench's traffic measurement (forked by traffic.ts, with the bench's own
 * certificate authority in NODE_EXTRA_CA_CERTS): runs the real HttpProber against one URL, a
 * warm-up round and then a measured one, and reports the CPU the measured checks took.
 */
import { buildProbeTarget } from '../../lib/app/probe-targets';
import { HttpProber } from '../../lib/adapters/http-prober';
import { mapWithConcurrency } from '../../lib/domain/concurrency';
import type { MonitorConfig } from '../../lib/domain/types';
import { defaultMonitor } from '../../test/fixtures/monitor-config';

export interface TrafficClientRequest {
  url: string;
  checks: number;
  concurrency: number;
}

export type TrafficClientReply = { type: 'warm' } | { type: 'done'; cpuMs: number; failures: string[] };

async function checkAll(prober: HttpProber, monitor: MonitorConfig, checks: number, concurrency: number): Promise<string[]> {
  const outcomes = await mapWithConcurrency(Array.from({ length: checks }), concurrency, () => prober.probe(buildProbeTarget(monitor)));
  return outcomes.flatMap((outcome) => (outcome.kind === 'error' ? [`${outcome.reason}: ${outcome.message}`] : outcome.kind !== 'response' || outcome.statusCode === 200 ? [] : [`status ${outcome.statusCode}`]));
}

process.once('message', (request: TrafficClientRequest) => {
  void (async () => {
    const prober = new HttpProber();
    const monitor = defaultMonitor('traffic', request.url);
    await checkAll(prober, monitor, Math.ceil(request.checks / 3), request.concurrency);
    process.send?.({ type: 'warm' } satisfies TrafficClientReply);
    await new Promise((resolve) => process.once('message', resolve));
    const before = process.cpuUsage();
    const failures = await checkAll(prober, monitor, request.checks, request.concurrency);
    const cpu = process.cpuUsage(before);
    process.send?.({ type: 'done', cpuMs: (cpu.user + cpu.system) / 1000, failures: failures.slice(0, 5) } satisfies TrafficClientReply);
  })();
});
process.on('disconnect', () => process.exit(0));
