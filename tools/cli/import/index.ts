import { parseMonitorsConfig } from '../../../lib/config/monitors';
import { ConfigError } from '../../../lib/domain/errors';
import { importGatus } from './gatus';
import { ImportError, type ImportResult } from './import-result';
import { importKuma } from './kuma';
import { importUpptime } from './upptime';

export { formatImportNote, formatImportReport, ImportError, TOOL_LABELS, type ImportNote, type ImportResult } from './import-result';

export const IMPORT_TOOLS = ['gatus', 'upptime', 'kuma'] as const;
export type ImportToolName = (typeof IMPORT_TOOLS)[number];

const IMPORTERS: Record<ImportToolName, (text: string, fileName: string) => ImportResult> = {
  gatus: importGatus,
  upptime: importUpptime,
  kuma: importKuma,
};

export function isImportTool(name: string): name is ImportToolName {
  return (IMPORT_TOOLS as readonly string[]).includes(name);
}

/**
 * Imports another tool's config and checks the monitors.yml it makes as a hand-written one is
 * checked (parseMonitorsConfig). Throws ImportError, one line naming the file, for input that is
 * not the tool's format, or when no monitor could be imported.
 */
export function importConfig(tool: ImportToolName, text: string, fileName: string, outputName = 'monitors.yml'): ImportResult {
  const result = IMPORTERS[tool](text, fileName);
  if (result.imported === 0) {
    const first = result.notes.find((note) => note.reason.includes('not imported'));
    throw new ImportError(
      `${fileName}: no monitor could be imported${first ? ` (first: ${first.subject}${first.field ? ` ${first.field}` : ''}: ${first.reason})` : ''}`,
      result.notes,
    );
  }
  try {
    parseMonitorsConfig(result.yaml, outputName);
  } catch (error) {
    // Each part was validated on its own while building; a whole-file refusal is a bug of the importer.
    if (error instanceof ConfigError) throw new ImportError(`${fileName}: the imported ${error.message}`, result.notes, { cause: error });
    throw error;
  }
  return result;
}
