/** Pure part of ops/channel-kinds.ts (no browser imports, unit-tested). */
import type { SeriesLine } from '../charts/series';

export const HTTP_KIND = 'channels.http';

/** The kind id of a series line given the names of each message channel kind (pure). */
export function resolveChannelKind(
  line: Pick<SeriesLine, 'name' | 'kind' | 'kindId'>,
  byKind: Record<string, string[]>,
): string | undefined {
  if (line.kindId) return line.kindId;
  if (line.kind === 'http') return HTTP_KIND;
  for (const [kind, names] of Object.entries(byKind)) if (names.includes(line.name)) return kind;
  return undefined;
}
