/**
 * `uptime-monitor import gatus|upptime|kuma FILE [-o monitors.yml] [--force]`: another tool's
 * configuration turned into a monitors file (the importers are in ./import). The YAML goes to the
 * output file or stdout, the report of what was and was not mapped to stderr.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { quoteInput } from '../../lib/domain/errors';
import { UsageError, parseArgs, wantsHelp, type CliOutput, type ExitCode } from './args';
import { IMPORT_TOOLS, ImportError, formatImportNote, formatImportReport, importConfig, isImportTool, type ImportResult, type ImportToolName } from './import';

const COMMAND = 'import';

export const IMPORT_USAGE = `Usage: uptime-monitor import gatus|upptime|kuma FILE [-o monitors.yml] [--force]
Turns another tool's monitors into a monitors file, validated as a hand-written one is:
  gatus FILE        a Gatus config.yaml (its endpoints, alerting providers and groups)
  upptime FILE      an Upptime .upptimerc.yml (its sites)
  kuma FILE         an Uptime Kuma backup (the JSON export of 1.x or 2.x)
  -o, --output OUT  write the monitors file to OUT (default: print it on stdout)
  --force           overwrite OUT when it exists (without it an existing file is left alone)
  --help            print this
The report goes to stderr: how many monitors were imported, and every field, condition or
monitor that could not be mapped, with the reason.
Exit codes: 0 imported, 1 the file could not be read or imported (or OUT exists), 2 bad options.`;

export function runImport(argv: readonly string[], cwd: string, output: CliOutput): ExitCode {
  if (wantsHelp(argv)) {
    output.log(IMPORT_USAGE);
    return 0;
  }
  let tool: ImportToolName;
  let input: string;
  let out: string | undefined;
  let force: boolean;
  try {
    const args = parseArgs(argv, { values: ['--output'], switches: ['--force'], aliases: { '-o': '--output' } });
    const [name, file, extra] = args.positional;
    if (name === undefined) throw new UsageError(`which tool to import from is required: ${IMPORT_TOOLS.join(', ')}; see --help`);
    if (!isImportTool(name)) throw new UsageError(`unknown tool ${quoteInput(name)}: ${IMPORT_TOOLS.join(', ')}; see --help`);
    if (file === undefined) throw new UsageError(`import ${name} needs the file to import: import ${name} FILE; see --help`);
    if (extra !== undefined) throw new UsageError(`unexpected argument ${quoteInput(extra)}: import ${name} FILE [-o OUT]; see --help`);
    tool = name;
    input = path.resolve(cwd, file);
    const written = args.values.get('--output');
    out = written === undefined ? undefined : path.resolve(cwd, written);
    force = args.switches.has('--force');
    if (force && out === undefined) throw new UsageError('--force applies to an output file only (-o OUT)');
    if (out === input) throw new UsageError('-o names the file being imported; write the monitors file elsewhere');
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    output.error(`${COMMAND}: ${error.message}`);
    return 2;
  }

  let text: string;
  try {
    text = readFileSync(input, 'utf8');
  } catch (error) {
    output.error(`${COMMAND}: cannot read ${input} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    return 1;
  }
  let result: ImportResult;
  try {
    // The output's name is the one the validation's messages give.
    result = importConfig(tool, text, path.basename(input), out === undefined ? 'monitors.yml' : path.basename(out));
  } catch (error) {
    if (!(error instanceof ImportError)) throw error;
    output.error(`${COMMAND}: ${error.message}`);
    // What was noted before the importer gave up, so nothing it saw goes unsaid.
    for (const note of error.notes) output.error(`  ${formatImportNote(note)}`);
    return 1;
  }

  if (out === undefined) {
    output.log(result.yaml.replace(/\n$/, ''));
  } else {
    try {
      // `wx` fails on an existing file, so nothing is overwritten between a check and the write.
      writeFileSync(out, result.yaml, { flag: force ? 'w' : 'wx' });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      output.error(
        code === 'EEXIST'
          ? `${COMMAND}: ${out} exists; choose another file with -o, or add --force to overwrite it`
          : `${COMMAND}: cannot write ${out} (${code ?? String(error)})`,
      );
      return 1;
    }
  }
  for (const line of formatImportReport(tool, result)) output.error(line);
  if (out !== undefined) output.error(`${COMMAND}: wrote ${out}; check it with: uptime-monitor validate ${shortPath(out, cwd)}`);
  return 0;
}

/** The path from the working directory when the file is under it, else the absolute path. */
function shortPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
