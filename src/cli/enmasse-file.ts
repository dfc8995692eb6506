/**
 * The enmasse file for the CLI: the format itself lives in src/admin/enmasse-yaml.ts (shared with
 * the admin API); here its problems become `file:line: message` CLI errors.
 */
import { EnmasseYamlError, parseEnmasseYaml, renderEnmasseYaml } from '../admin/enmasse-yaml.js';
import type { ExportedObject, ImportItem } from '../admin/enmasse-ops.js';
import { CliError, EXIT } from './exit.js';

export function parseEnmasse(text: string, file: string, env: NodeJS.ProcessEnv = process.env): ImportItem[] {
  try {
    return parseEnmasseYaml(text, env);
  } catch (e) {
    if (e instanceof EnmasseYamlError)
      throw new CliError(e.problems.map((p) => `${file}:${p.line ?? '?'}: ${p.message}`).join('\n'), EXIT.INVALID);
    throw e;
  }
}

/** Exported objects as the nested YAML document, in kind order. */
export function renderEnmasse(objects: ExportedObject[], header: string): string {
  return renderEnmasseYaml(objects, header);
}
