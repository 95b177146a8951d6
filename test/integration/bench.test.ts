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
      '--repeat', '1', '--outages', '2', '--skip-detection', '--skip-cold-start', '--skip-sub-minute',
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
    const match = /^bench: cycle_ratio=([\d.]+) cost_1k=\$([\d.]+) cost_10k=\$([\d.]+) detect_intervals=n\/a api_p95_30d_ms=n\/a api_rru_30d=n\/a api_rru_400d=n\/a https_cpu_ms=([\d.]+) cost_1k_https=\$([\d.]+)$/.exec(summary);
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

  it.each([
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
