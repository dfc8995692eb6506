/** MQTT topic names, topic filters and client ids (pure, unit-tested). */

const MAX_TOPIC_BYTES = 65_535;

function commonProblem(s: string, what: string): string | undefined {
  if (s.length === 0) return `${what} must not be empty`;
  if (s.includes('\u0000')) return `${what} must not contain NUL characters`;
  if (Buffer.byteLength(s, 'utf8') > MAX_TOPIC_BYTES) return `${what} must not exceed ${MAX_TOPIC_BYTES} bytes`;
  return undefined;
}

/** Splits `$share/group/filter` into its parts; other filters have no group. */
export function splitShared(filter: string): { group?: string; filter: string } {
  if (!filter.startsWith('$share/')) return { filter };
  const rest = filter.slice('$share/'.length);
  const slash = rest.indexOf('/');
  if (slash === -1) return { group: rest, filter: '' };
  return { group: rest.slice(0, slash), filter: rest.slice(slash + 1) };
}

/** Why `filter` is not a valid subscription filter, or undefined when it is. */
export function topicFilterProblem(filter: string): string | undefined {
  const common = commonProblem(filter, 'a topic filter');
  if (common) return common;
  const shared = splitShared(filter);
  if (shared.group !== undefined) {
    if (shared.group === '' || /[+#/]/.test(shared.group))
      return 'a shared subscription looks like $share/<group>/<filter>, the group without + # or /';
    if (shared.filter === '') return 'a shared subscription needs a filter after $share/<group>/';
  }
  const levels = shared.filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as string;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1))
      return '# must be a whole level and the last one (sensors/#)';
    if (level.includes('+') && level !== '+') return '+ must be a whole level (sensors/+/temp)';
  }
  return undefined;
}

/** Why `topic` is not a valid topic name to publish to, or undefined when it is. */
export function topicNameProblem(topic: string): string | undefined {
  const common = commonProblem(topic, 'a topic');
  if (common) return common;
  if (/[+#]/.test(topic)) return 'a topic to publish to must not contain the wildcards + or #';
  return undefined;
}

/** Whether a message published to `topic` matches `filter` (a `$share/group/` prefix is ignored). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = splitShared(filter).filter.split('/');
  const t = topic.split('/');
  // [MQTT-4.7.2-1]: wildcards at the first level do not match topics starting with $
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === '#') return true;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}

/**
 * A client id that is stable for one object (so a persistent session survives reconnects and
 * restarts) and unique among Wharf's clients: `<prefix><role>-<name>[-<suffix>]`. Characters outside
 * `[A-Za-z0-9._:-]` become `_`; a long name is shortened and made unique again with a hash.
 */
export function clientIdFor(prefix: string, role: 'ch' | 'out' | 'dlq', name: string, suffix?: string): string {
  const clean = (s: string): string => s.replace(/[^A-Za-z0-9._:-]/g, '_');
  let base = clean(name);
  if (base.length > 80 || base !== name) base = `${base.slice(0, 64)}.${fnv1a(name)}`;
  return `${prefix}${role}-${base}${suffix === undefined ? '' : `-${clean(suffix)}`}`;
}

/** 32-bit FNV-1a as 8 hex digits: short, stable, dependency-free. */
export function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
