/**
 * User and group names from `/etc/passwd` and `/etc/group`, the names SPIRE's unix
 * attestor puts in `unix:user` and `unix:group` selectors.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Parses passwd or group text into a map from numeric id (third field) to name (first field). */
export function parseIdNames(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;

    const [name, , id] = line.split(':');
    const numericId = Number(id);
    if (name !== undefined && id !== undefined && id !== '' && Number.isInteger(numericId) && !names.has(numericId)) {
      names.set(numericId, name);
    }
  }
  return names;
}

/** Looks up the name of `id` in `<etcRoot>/<file>`; undefined when the file has no such id. */
export async function lookUpIdName(etcRoot: string, file: 'passwd' | 'group', id: number): Promise<string | undefined> {
  return parseIdNames(await readFile(join(etcRoot, file), 'utf8')).get(id);
}
