/**
 * Which installed packages a bundle is made of, read from its source map's `sources`: esbuild
 * names every input file by its path, so a package bundled from two node_modules directories (two
 * versions, or one version installed twice) shows up as two directories under one name.
 */

/** The package directory of a source path (`…/node_modules/@scope/name`), or undefined for our own code. */
function packageDirectory(source: string): { name: string; directory: string } | undefined {
  const normalized = source.replace(/\\/g, '/');
  const at = normalized.lastIndexOf('node_modules/');
  if (at < 0) return undefined;
  const rest = normalized.slice(at + 'node_modules/'.length).split('/');
  const name = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? '');
  return { name, directory: `${normalized.slice(0, at)}node_modules/${name}` };
}

/** Each package bundled from more than one directory, with those directories (sorted). */
export function duplicatePackages(sources: readonly string[]): Record<string, string[]> {
  const directories = new Map<string, Set<string>>();
  for (const source of sources) {
    const found = packageDirectory(source);
    if (!found) continue;
    const seen = directories.get(found.name) ?? new Set<string>();
    seen.add(found.directory);
    directories.set(found.name, seen);
  }
  return Object.fromEntries(
    [...directories].filter(([, seen]) => seen.size > 1).map(([name, seen]) => [name, [...seen].sort()]),
  );
}
