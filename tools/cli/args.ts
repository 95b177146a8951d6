import { quoteInput } from '../../lib/domain/errors';

/** An argument that is unknown, missing, repeated or has a bad value: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Where a command's lines go: results to stdout (`log`), errors and reports to stderr (`error`). */
export interface CliOutput {
  log: (line: string) => void;
  error: (line: string) => void;
}

/** 0 done, 1 not done (or the input is not valid), 2 bad usage. */
export type ExitCode = 0 | 1 | 2;

export interface ArgSpec {
  /** Flags that take a value: `--stage prod`, `--stage=prod`. */
  values?: readonly string[];
  /** Flags that take none: `--force`. */
  switches?: readonly string[];
  /** Short names: `{ '-o': '--output' }`. */
  aliases?: Readonly<Record<string, string>>;
}

export interface ParsedArgs {
  positional: string[];
  values: Map<string, string>;
  switches: Set<string>;
}

/**
 * Reads `argv` against `spec`: every flag known, none given twice, each value present and not
 * another flag. `--` ends the flags. Throws UsageError naming the argument.
 */
export function parseArgs(argv: readonly string[], spec: ArgSpec): ParsedArgs {
  const valueFlags = new Set(spec.values ?? []);
  const switchFlags = new Set(spec.switches ?? []);
  const parsed: ParsedArgs = { positional: [], values: new Map(), switches: new Set() };
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    if (arg === '--') {
      parsed.positional.push(...argv.slice(index + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      parsed.positional.push(arg);
      continue;
    }
    const at = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const written = at === -1 ? arg : arg.slice(0, at);
    const inline = at === -1 ? undefined : arg.slice(at + 1);
    const flag = spec.aliases?.[written] ?? written;
    if (switchFlags.has(flag)) {
      if (inline !== undefined) throw new UsageError(`${flag} takes no value`);
      if (parsed.switches.has(flag)) throw new UsageError(`${flag} is given twice`);
      parsed.switches.add(flag);
      continue;
    }
    if (!valueFlags.has(flag)) throw new UsageError(`unknown option ${quoteInput(arg)}; see --help`);
    if (parsed.values.has(flag)) throw new UsageError(`${flag} is given twice`);
    const value = inline ?? argv[index + 1];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('-') && value !== '-')) {
      throw new UsageError(`${flag} needs a value; see --help`);
    }
    if (inline === undefined) index += 1;
    parsed.values.set(flag, value);
  }
  return parsed;
}

/** Whether the arguments ask for help (`--help` or `-h` anywhere before `--`). */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/** An environment variable's value, or undefined when it is unset or empty. */
export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
