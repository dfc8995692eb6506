/** Human units beside numeric fields (pure). */

/** "= 2.5 s" for a duration in ms, "= 5 MiB" for a size in bytes (fields named …Ms, …Seconds, …Bytes, …Size). */
export function humanUnit(name: string, raw: string): string | undefined {
  const n = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0) return undefined;
  if (/Ms$/.test(name)) {
    if (n < 1000) return undefined;
    return `= ${dur(n / 1000)}`;
  }
  if (/Seconds$/.test(name)) return n < 60 ? undefined : `= ${dur(n)}`;
  if (/(Bytes|Size)$/.test(name)) {
    if (n < 1024) return undefined;
    const units = ['KiB', 'MiB', 'GiB', 'TiB'];
    let v = n / 1024;
    let i = 0;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return `= ${+v.toFixed(2)} ${units[i]}`;
  }
  return undefined;
}

function dur(s: number): string {
  if (s < 60) return `${+s.toFixed(3)} s`;
  if (s < 3600) return `${+(s / 60).toFixed(2)} min`;
  if (s < 86400) return `${+(s / 3600).toFixed(2)} h`;
  return `${+(s / 86400).toFixed(2)} d`;
}
