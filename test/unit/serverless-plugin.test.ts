import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// By its full name: jest would otherwise pick deploy/serverless-plugin.cjs, osls's entry point.
const { UptimeMonitorPlugin } = jest.requireActual<typeof import('../../deploy/serverless-plugin')>('../../deploy/serverless-plugin.ts');

const MONITORS = 'notify: { from: uptime@example.com, to: [team@example.com] }\nmonitors:\n  - { id: shop, url: "https://shop.example.com/health" }\n';

let serviceDir: string;

beforeAll(() => {
  serviceDir = mkdtempSync(path.join(tmpdir(), 'uptime-plugin-'));
  for (const relative of ['config/monitors.yml', '.local/monitors.local.yml', '.esbuild-local/3000/monitors.yml', '.serverless/monitors.yml']) {
    mkdirSync(path.dirname(path.join(serviceDir, relative)), { recursive: true });
    writeFileSync(path.join(serviceDir, relative), MONITORS);
  }
});

afterAll(() => rmSync(serviceDir, { recursive: true, force: true }));

/** The plugin as osls builds it for `sls package` in the scratch service directory. */
const pluginFor = (esbuild: { outputWorkFolder?: string } = {}) =>
  new UptimeMonitorPlugin({
    serviceDir,
    classes: { Error },
    processedInput: { commands: ['package'] },
    service: { getAllFunctions: () => [], provider: { compiledCloudFormationTemplate: { Resources: {} } }, custom: { esbuild } },
    providers: { aws: { naming: { getLambdaLogicalId: (name) => name, getRoleLogicalId: () => 'IamRoleLambdaExecution' } } },
  });

/** `${uptime:settings}` as osls resolves it, for a stage and a MONITORS_FILE. */
async function resolveSettings(stage: string, monitorsFile: string): Promise<unknown> {
  const plugin = pluginFor();
  const variables: Record<string, unknown> = {
    'sls:stage': stage,
    "env:MONITORS_FILE, 'monitors.yml'": monitorsFile,
    'self:service': 'uptime-monitor',
    "env:UPTIME_LOCAL_PROBE_PERIOD, '10s'": '10s',
  };
  const resolveVariable = async (variable: string) => (variable in variables ? variables[variable] : null);
  return (await plugin.configurationVariablesSources.uptime.resolve({ address: 'settings', resolveVariable })).value;
}

describe('the monitors file a package would leave out', () => {
  it.each(['.local/monitors.local.yml', '.esbuild-local/3000/monitors.yml', '.serverless/monitors.yml'])(
    'refuses %s for a deployed stage, naming the folder',
    async (file) => {
      await expect(resolveSettings('dev', file)).rejects.toThrow(`MONITORS_FILE: ${file} is in ${file.split('/')[0]}/, which no package carries`);
    },
  );

  it('accepts a file elsewhere in the service directory, and npm start’s own file for the local stage', async () => {
    await expect(resolveSettings('dev', 'config/monitors.yml')).resolves.toMatchObject({ monitorsFile: 'config/monitors.yml' });
    await expect(resolveSettings('local', '.local/monitors.local.yml')).resolves.toMatchObject({ monitorsFile: '.local/monitors.local.yml' });
  });
});

describe('the build leftovers a package would zip', () => {
  const initialize = (outputWorkFolder?: string) =>
    pluginFor(outputWorkFolder === undefined ? {} : { outputWorkFolder }).hooks['package:initialize']();

  it.each([[undefined, '.esbuild'], ['.esbuild-other', '.esbuild-other']])('are removed before a package (work folder %s)', (setting, folder) => {
    const leftover = path.join(serviceDir, folder, '.build', '.local', 'monitors.local.yml');
    mkdirSync(path.dirname(leftover), { recursive: true });
    writeFileSync(leftover, MONITORS);
    initialize(setting);
    expect(existsSync(path.join(serviceDir, folder))).toBe(false);
    expect(existsSync(path.join(serviceDir, 'config', 'monitors.yml'))).toBe(true);
  });

  it.each(['.', '..', '/tmp'])('refuses a work folder that is not inside the service directory (%s), removing nothing', (setting) => {
    expect(() => initialize(setting)).toThrow('custom.esbuild.outputWorkFolder must be a folder inside');
    expect(existsSync(path.join(serviceDir, 'config', 'monitors.yml'))).toBe(true);
  });
});
