import { benchDispatch, measureDispatch, timeConfigParse } from '../../tools/bench/dispatch';

describe('measureDispatch (the bench of handing shards out)', () => {
  it('hands every shard but the first to the Invoke stand-in, no sooner than its latency, and times a shard invocation', async () => {
    const { config, cpuMs } = timeConfigParse(2000);
    expect(config.monitors).toHaveLength(2000);
    expect(cpuMs).toBeGreaterThan(0);

    const measured = await measureDispatch({ monitors: 2000, shardSize: 100, invokeLatencyMs: 200, repeat: 2 }, config);
    expect(measured).toMatchObject({ monitors: 2000, shards: 20, dispatched: 19, invokeLatencyMs: 200, peakInFlight: 19 });
    expect(measured.handOutMs).toHaveLength(2);
    for (const [index, handOut] of measured.handOutMs.entries()) {
      expect(handOut).toBeGreaterThanOrEqual(200);
      expect(measured.ownShardStartMs[index]).toBeGreaterThanOrEqual(handOut);
    }
    expect(measured.shardPreambleMs).toHaveLength(2);
    expect(measured.shardPreambleCpuMs).toBeGreaterThan(0);
  });

  it('queues the Invokes past the client’s sockets: 19 at 5 sockets take four waves of the latency', async () => {
    const measured = await measureDispatch({ monitors: 2000, shardSize: 100, invokeLatencyMs: 100, repeat: 1, maxSockets: 5 });
    expect(measured.peakInFlight).toBe(5);
    expect(measured.handOutMs[0]).toBeGreaterThanOrEqual(4 * 100);
  });

  it('prints the bench lines and the extra compute a run at the modelled size needs', async () => {
    const lines: string[] = [];
    const { extraRunGbSeconds } = await benchDispatch({ monitors: 2000, measuredMonitors: 200, shardSize: 100, repeat: 1, vcpuShare: 0.145, memoryMb: 256, print: (line) => lines.push(line) });
    expect(lines).toEqual([
      expect.stringMatching(/^dispatch N=2000: 20 shards, 19 async Invokes to a stand-in on 127\.0\.0\.1 answering 202 in 20 ms \(assumed\), at most \d+ in flight/),
      expect.stringMatching(/^dispatch N=2000: the scheduled run's CPU to its own shard \d+ ms/),
      expect.stringMatching(/^dispatch N=2000: each shard invocation's preamble over the whole configuration \d+ ms/),
      expect.stringMatching(/^dispatch N=2000: parsing monitors\.yml of 2000 monitors took \d+ ms/),
      expect.stringMatching(/^dispatch N=2000: extra compute beyond scaling N=200 linearly: \d+ ms CPU per run, [\d.]+ GB-s per run/),
    ]);
    expect(extraRunGbSeconds).toBeGreaterThanOrEqual(0);
  });
});
