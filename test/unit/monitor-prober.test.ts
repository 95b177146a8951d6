import { MonitorProber, UnprobeableTargetError } from '../../lib/adapters/monitor-prober';
import type { Prober } from '../../lib/domain/ports';
import type { MonitorType, ProbeTarget } from '../../lib/domain/types';

/** A prober of one type that answers with its name, to see where each target went. */
const naming = (name: string): Prober => ({ probe: async () => ({ kind: 'error', reason: 'network', message: name, latencyMs: 0 }) });

const prober = new MonitorProber({ http: naming('http'), tcp: naming('tcp'), dns: naming('dns') });
const target = (type: MonitorType | undefined, url: string): ProbeTarget => ({ ...(type === undefined ? {} : { type }), url, method: 'GET', headers: {}, timeoutMs: 1000 });

describe('MonitorProber', () => {
  it.each<[MonitorType | undefined, string, string]>([
    ['http', 'https://example.com', 'http'],
    [undefined, 'https://example.com', 'http'],
    ['tcp', 'tcp://db.example.com:5432', 'tcp'],
    ['dns', 'dns://example.com', 'dns'],
  ])('routes a %s target to its prober', async (type, url, expected) => {
    expect(await prober.probe(target(type, url))).toMatchObject({ message: expected });
  });

  it('refuses a heartbeat target: heartbeats are pinged, never probed', async () => {
    await expect(prober.probe(target('heartbeat', ''))).rejects.toThrow(UnprobeableTargetError);
    await expect(prober.probe(target('heartbeat', ''))).rejects.toThrow('a heartbeat monitor is not probed');
  });
});
