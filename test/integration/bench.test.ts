/**
 * `npm run bench` at a toy size, so the harness cannot rot between the runs that measure: it starts
 * its own DynamoDB Local and targets, runs the real probe (with shards), prices what it counted and
 * ends with the summary line. The figures themselves are measured by the full bench, not here.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function bench(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(TSX, ['tools/bench/run.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 150_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run bench', () => {
  it('runs end to end at a toy size, through the shard path, and ends with the summary line', () => {
    const { status, stdout, stderr } = bench([
      '--monitors', '40', '--large', '90', '--shard-size', '40', '--workers', '2', '--latency', '5',
      '--repeat', '1', '--outages', '2', '--skip-detection', '--skip-cold-start', '--skip-sub-minute', '--skip-confirm',
    ]);
    expect({ status, stderr: status === 0 ? '' : stderr }).toEqual({ status: 0, stderr: '' });
    const lines = stdout.trim().split('\n');
    // 90 monitors at 40 a shard: the scheduled invocation keeps the first 40 and hands on two shards.
    expect(stdout).toMatch(/^N=90 lambda: 3 invocation\(s\) per run \(the scheduled one and 2 shards/m);
    expect(stdout).toMatch(/^N=40 dynamodb outages: 2 outages \(4 transitions\)/m);
    expect(stdout).toMatch(/^N=40 notifier: \d+ invocations, 4 SES emails/m);
    expect(stdout).toMatch(/^N=40 hourly rollup: [\d.]+ WRU, [\d.]+ RRU for 60 run summaries/m);
    expect(stdout).toMatch(/^N=40 daily rollup: [\d.]+ WRU, at most [\d.]+ RRU for 24 hours' items/m);
    for (const label of ['cost N=40', 'cost N=90']) {
      expect(stdout).toMatch(new RegExp(`^${label}: Lambda compute, probe runs: `, 'm'));
      expect(stdout).toMatch(new RegExp(`^${label}: total \\$[\\d.]+/month for \\d+ monitors = \\$[\\d.]+ per monitor-month$`, 'm'));
    }
    // Plain HTTP and HTTPS checks measured on the wire, and priced for the internet.
    expect(stdout).toMatch(/^traffic http: [\d.]+ ms of CPU, \d+ bytes out and \d+ bytes in per check/m);
    expect(stdout).toMatch(/^traffic https: [\d.]+ ms of CPU, \d+ bytes out and \d+ bytes in per check/m);
    expect(stdout).toMatch(/^cost N=90 as HTTPS endpoints on the internet: .* data transfer out [\d.]+ GB/m);
    const summary = lines.at(-1) ?? '';
    const match = /^bench: cycle_ratio=([\d.]+) cost_1k=\$([\d.]+) cost_10k=\$([\d.]+) detect_intervals=n\/a api_p95_30d_ms=n\/a api_rru_30d=n\/a api_rru_400d=n\/a https_cpu_ms=([\d.]+) cost_1k_https=\$([\d.]+) confirm_overhead_1k=\$n\/a$/.exec(summary);
    expect(match).not.toBeNull();
    const [, ratio, small, large, httpsCpuMs, smallHttps] = (match as RegExpExecArray).map(Number);
    expect(ratio).toBeGreaterThan(0);
    expect(httpsCpuMs).toBeGreaterThan(0);
    // The TLS work comes on top of the plain-HTTP figure.
    expect(smallHttps).toBeGreaterThan(small as number);
    // Fixed costs (alarms, aggregate metrics) spread over fewer monitors cost more per monitor.
    expect(small).toBeGreaterThan(large as number);
    expect(large).toBeGreaterThan(0);
  }, 160_000);

  it('measures only the overhead of multi-region confirmation with --only confirm: no Invoke in steady runs, one per region at the onset', () => {
    const { status, stdout, stderr } = bench(['--only', 'confirm', '--monitors', '40', '--failing', '0.05', '--latency', '5', '--repeat', '1']);
    expect({ status, stderr: status === 0 ? '' : stderr }).toEqual({ status: 0, stderr: '' });
    // Nothing else measured: no probe scenario, no traffic.
    expect(stdout).not.toMatch(/^N=40 /m);
    expect(stdout).not.toMatch(/^traffic /m);
    expect(stdout).toMatch(/^confirm N=40: 2 failing \(5\.0%\), confirm \{ regions: \[eu-west-1, ap-southeast-1\], quorum: 2 \}/m);
    // Steady runs read the two DOWN monitors' states (one BatchGetItem, about a read unit each) and invoke nobody.
    const steady = /^confirm N=40 steady overhead: \+1 request\(s\), \+([\d.]+) RRU, \+0 WRU per run .*; Invokes 0 in 3 steady runs with confirm$/m.exec(stdout);
    expect(steady).not.toBeNull();
    expect(Number(steady?.[1])).toBeGreaterThanOrEqual(2);
    expect(stdout).toMatch(/^confirm N=40 steady: .*BatchGetItem 1× /m);
    // The onset: one Invoke per region, each carrying both suspects.
    const invokes = /^confirm N=40 onset invokes: 2 per round \(one per region, 2 suspects each\), each confirm invocation (\d+) ms .*: ([\d.]+) GB-s at 256 MB arm64; payload (\d+) bytes in, (\d+) bytes out/m.exec(stdout);
    expect(invokes).not.toBeNull();
    const [, invocationMs, gbSeconds, requestBytes, answerBytes] = (invokes as RegExpExecArray).map(Number);
    for (const figure of [invocationMs, gbSeconds, requestBytes, answerBytes]) {
      expect(Number.isFinite(figure)).toBe(true);
      expect(figure).toBeGreaterThan(0);
    }
    expect(stdout).toMatch(/^confirm N=40 onset: the run in which the 2 cross their threshold takes \d+ ms with confirm, \d+ ms without: [+-]\d+ ms \(the round: \d+ ms /m);
    expect(stdout).toMatch(/^confirm N=40 cost: Lambda requests, confirm invocations: 160 request × /m);
    expect(stdout).toMatch(/^confirm N=40 cost: CloudWatch custom metric ConfirmHomeAlone: 1 metric-month × \$0\.3000 = \$0\.3000\/month/m);
    expect(stdout).toMatch(/^confirm N=40 cost: CloudWatch alarm confirm-home-alone: 1 alarm-month × \$0\.1000 = \$0\.1000\/month/m);
    const total = /^confirm N=40: total \$([\d.]+)\/month, \$([\d.]+)\/monitor-month /m.exec(stdout);
    expect(total).not.toBeNull();
    const [, monthly, perMonitor] = (total as RegExpExecArray).map(Number);
    // More than the metric and the alarm: the reads, Invokes and compute are priced too.
    expect(monthly).toBeGreaterThan(0.4);
    expect(perMonitor).toBeCloseTo((monthly as number) / 40, 4);
    const summary = /^bench: cycle_ratio=n\/a cost_1k=\$n\/a .* confirm_overhead_1k=\$([\d.]+)$/m.exec(stdout);
    expect(Number(summary?.[1])).toBeCloseTo(perMonitor as number, 4);
  }, 90_000);

  it.each([
    [['--only', 'traffic'], "bench: --only takes 'confirm', got 'traffic'"],
    [['--monitors', 'lots'], "bench: --monitors must be a positive whole number, got 'lots'"],
    [['--failing', '2'], "bench: --failing must be a fraction from 0 to below 1, got '2'"],
    [['--monitor', '10'], "bench: Unknown option '--monitor'"],
  ])('refuses %j with one line and the usage, before starting anything', (args, message) => {
    const { status, stdout, stderr } = bench(args);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([expect.stringContaining(message), expect.stringMatching(/^usage: npm run bench /)]);
  });
});
