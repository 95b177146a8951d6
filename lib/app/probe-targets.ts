import { monitorSecretRefs } from '../domain/config-secrets';
import type { SecretResolver } from '../domain/ports';
import { describeSecretRef, isSecretRef, secretText, uniqueSecretRefs } from '../domain/secret-ref';
import type { MonitorConfig, MonitorType, ProbeTarget } from '../domain/types';

/** A monitor the run cannot check: a reference of its URL or headers has no value. */
export interface UnresolvedMonitor {
  monitorId: string;
  /** One per reference: which (`ssm:/name`) and why; never a value. */
  problems: { reference: string; why: string }[];
}

export interface ProbeTargets {
  /** What to request for each monitor that can be checked. */
  targets: Map<string, ProbeTarget>;
  unresolved: UnresolvedMonitor[];
}

/**
 * The request of each monitor, with its secret references resolved: every reference of the given
 * monitors in one call to the resolver (which batches and caches). A monitor whose reference has
 * no value, or whose URL reference does not hold a URL of its type (http(s), tcp, dns), is left out and listed in
 * `unresolved`: it is not checked, so it counts neither up nor down.
 */
export async function resolveProbeTargets(monitors: readonly MonitorConfig[], secrets: SecretResolver): Promise<ProbeTargets> {
  const refs = uniqueSecretRefs(monitors.flatMap((monitor, index) => monitorSecretRefs(monitor, index).map((use) => use.ref)));
  const { values, failures } = refs.length === 0 ? { values: new Map<string, string>(), failures: new Map<string, string>() } : await secrets.resolve(refs);
  const targets = new Map<string, ProbeTarget>();
  const unresolved: UnresolvedMonitor[] = [];
  monitors.forEach((monitor, index) => {
    const problems = monitorSecretRefs(monitor, index)
      .map(({ ref }) => describeSecretRef(ref))
      .filter((key) => !values.has(key))
      .map((reference) => ({ reference, why: failures.get(reference) ?? 'not resolved' }));
    if (problems.length === 0) {
      const target = buildProbeTarget(monitor, values);
      if (isSecretRef(monitor.url) && !isProbeableUrl(monitor.type, target.url)) {
        problems.push({ reference: describeSecretRef(monitor.url), why: `does not hold ${URL_FORMS[monitor.type]}` });
      } else {
        targets.set(monitor.id, target);
      }
    }
    if (problems.length > 0) unresolved.push({ monitorId: monitor.id, problems });
  });
  return { targets, unresolved };
}

/** The request of a monitor whose references are all in `values` (a literal monitor needs none). */
export function buildProbeTarget(monitor: MonitorConfig, values: ReadonlyMap<string, string> = new Map()): ProbeTarget {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(monitor.headers)) headers[name] = secretText(value, values);
  return {
    type: monitor.type,
    url: secretText(monitor.url, values),
    method: monitor.method,
    headers,
    timeoutMs: monitor.timeoutMs,
    ...(monitor.dns === undefined ? {} : { dns: monitor.dns }),
  };
}

/** What a resolved URL of each type must be, as a problem's `why` says it. */
const URL_FORMS: Readonly<Record<MonitorType, string>> = {
  http: 'an http:// or https:// URL without user info',
  tcp: 'a tcp://host:port URL',
  dns: 'a dns://name URL',
  heartbeat: 'no URL (a heartbeat has none)',
};

/** Whether a URL resolved from a secret reference is one a monitor of `type` can check (as monitors.yml checks a literal one). */
function isProbeableUrl(type: MonitorType, text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  if (url.hostname === '' || url.username !== '' || url.password !== '') return false;
  const bare = ['', '/'].includes(url.pathname) && url.search === '' && url.hash === '';
  switch (type) {
    case 'http':
      return url.protocol === 'http:' || url.protocol === 'https:';
    case 'tcp':
      return url.protocol === 'tcp:' && url.port !== '' && bare;
    case 'dns':
      return url.protocol === 'dns:' && url.port === '' && bare;
    case 'heartbeat':
      return false;
  }
}
