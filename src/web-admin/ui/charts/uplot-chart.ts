/**
 * A uPlot time-series chart as a Preact component: created once per set of series, fed new data in
 * place (`setData`) on every refresh, resized with its container. The plot is an image for assistive
 * technology (role=img) named by `label` — callers put the latest values in it and show them as text too.
 */
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { isolatedIndices, type Aligned } from './series';

export interface LineSpec {
  label: string;
  color: string;
  dash?: number[];
}

export interface ChartProps {
  /** The visible title (figcaption). */
  title: string;
  /** Accessible description of the plot (e.g. the latest values). */
  label: string;
  /** y-axis unit: rates per second or milliseconds. */
  unit: '/s' | 'ms';
  series: LineSpec[];
  data: Aligned;
  height?: number;
  /** Show uPlot's legend (series labels, values under the cursor); off when a table beside the chart is the key. */
  legend?: boolean;
}

/** Colours of the lines (distinguishable, dark enough on white). */
export const PALETTE = ['#0b5cad', '#c2410c', '#15803d', '#7e22ce', '#b91c1c', '#0e7490', '#a16207', '#be185d'];

function fmtTick(unit: '/s' | 'ms', v: number): string {
  if (unit === 'ms') return v >= 1000 ? `${+(v / 1000).toFixed(1)} s` : `${+v.toFixed(v < 10 ? 1 : 0)} ms`;
  return v >= 1000 ? `${+(v / 1000).toFixed(1)}k` : `${+v.toFixed(v < 10 ? 2 : 0)}`;
}

const isolated = (u: uPlot, seriesIdx: number): number[] | null => {
  const idx = isolatedIndices((u.data[seriesIdx] ?? []) as ReadonlyArray<number | null>);
  return idx.length ? idx : null;
};

function options(p: ChartProps, width: number): uPlot.Options {
  return {
    width,
    height: p.height ?? 180,
    cursor: { drag: { x: false, y: false } },
    legend: { show: p.legend !== false, live: true },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [
      { stroke: '#57606a', grid: { stroke: '#eaeef2' }, ticks: { stroke: '#d0d7de' } },
      {
        stroke: '#57606a',
        grid: { stroke: '#eaeef2' },
        ticks: { stroke: '#d0d7de' },
        size: 66,
        values: (_u, vals) => vals.map((v) => fmtTick(p.unit, v)),
      },
    ],
    series: [
      {},
      ...p.series.map((s) => ({
        label: s.label,
        stroke: s.color,
        width: 1.5,
        spanGaps: false,
        // A dot only where a value stands alone (no line can be drawn through it: one busy slot among quiet ones).
        points: { show: false, size: 5, fill: s.color, stroke: s.color, filter: isolated },
        value: (_u: uPlot, v: number | null) =>
          v === null || v === undefined ? '—' : fmtTick(p.unit, v) + (p.unit === '/s' ? '/s' : ''),
        ...(s.dash ? { dash: s.dash } : {}),
      })),
    ],
  };
}

export function Chart(p: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape =
    p.series.map((s) => `${s.label}\u0000${s.color}\u0000${(s.dash ?? []).join(',')}`).join('\u0001') + p.unit;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const u = new uPlot(options(p, Math.max(200, el.clientWidth)), p.data as uPlot.AlignedData, el);
    plot.current = u;
    let last = el.clientWidth;
    const ro =
      typeof ResizeObserver === 'function'
        ? new ResizeObserver(() => {
            const w = Math.max(200, el.clientWidth);
            if (w !== last) {
              last = w;
              u.setSize({ width: w, height: p.height ?? 180 });
            }
          })
        : undefined;
    ro?.observe(el);
    return () => {
      ro?.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [shape]);

  useEffect(() => {
    plot.current?.setData(p.data as uPlot.AlignedData);
  }, [p.data]);

  return html`<figure class="chart">
    <figcaption class="chart-title">${p.title}</figcaption>
    <div class="chart-plot" ref=${box} role="img" aria-label=${p.label}></div>
  </figure>`;
}
