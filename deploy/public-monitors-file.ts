import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { parseMonitorsConfig } from '../lib/config/monitors';
import { redactedUrl } from '../lib/domain/public-view';

/** Where the api and notify functions' copy of monitors.yml is written: git-ignored, inside the service. */
export const PUBLIC_MONITORS_FOLDER = '.uptime-build';

/**
 * What the api and notify copies hold in place of a heartbeat's token: a reference that nothing
 * resolves (the file must stay valid, and a token is required). Only the ping function's copy
 * (`tokens: true`) keeps the tokens as written: literals (local stage) or references.
 */
export const WITHHELD_TOKEN = { env: 'HEARTBEAT_TOKEN_NOT_IN_THIS_PACKAGE' } as const;

/**
 * Writes the copy of the monitors file that the api and notify functions ship with: the same
 * monitors without their headers (credentials, even as references, are the probe's alone), and
 * literal URLs with their query values redacted (`?token=REDACTED`), which is all the API and the
 * emails ever show of them; heartbeat tokens withheld (WITHHELD_TOKEN) unless `tokens`, for the
 * ping function, which ships this copy with them and nothing else it does not need. The name carries a hash of the content, so packages of several stages
 * at once never write over each other's copy. Returns the path relative to `serviceDir`.
 */
export function writePublicMonitorsFile(monitorsFile: string, serviceDir: string, options: { channels: boolean; tokens?: boolean }): string {
  const raw = parse(readFileSync(monitorsFile, 'utf8')) as { monitors?: unknown; channels?: unknown; defaults?: Record<string, unknown> };
  const monitors = Array.isArray(raw.monitors) ? raw.monitors : [];
  const { channels: _channels, ...withoutChannels } = raw;
  const { alerts: _alerts, ...defaultsWithoutAlerts } = raw.defaults ?? {};
  const document = {
    // The api needs no channel: neither their references nor which monitor alerts where.
    ...(options.channels ? raw : { ...withoutChannels, ...(raw.defaults ? { defaults: defaultsWithoutAlerts } : {}) }),
    monitors: monitors.map((monitor: Record<string, unknown>) => {
      const { headers: _headers, alerts: _monitorAlerts, ...rest } = monitor;
      const withToken = rest.token !== undefined && !options.tokens ? { ...rest, token: WITHHELD_TOKEN } : rest;
      const kept = options.channels && monitor.alerts !== undefined ? { ...withToken, alerts: monitor.alerts } : withToken;
      return typeof kept.url === 'string' ? { ...kept, url: redactedUrl(kept.url) } : kept;
    }),
  };
  const reader = options.tokens
    ? 'the ping function: heartbeat tokens; no headers, channels or query values'
    : options.channels
      ? 'the notify function: no headers, heartbeat tokens or query values'
      : 'the api function: no headers, channels, heartbeat tokens or query values';
  const text = `# Written by sls from ${path.basename(monitorsFile)} for ${reader}.\n${stringify(document)}`;
  // The copy must still be a valid file: the functions load it with the same loader.
  parseMonitorsConfig(text, path.basename(monitorsFile));
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
  const relative = `${PUBLIC_MONITORS_FOLDER}/monitors.public.${hash}.yml`;
  mkdirSync(path.join(serviceDir, PUBLIC_MONITORS_FOLDER), { recursive: true });
  const target = path.join(serviceDir, relative);
  // Written whole, then renamed: a package running beside this one never reads half a file.
  const temporary = `${target}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, target);
  return relative;
}
