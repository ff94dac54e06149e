// Plots of training curves as standalone SVG text (no DOM needed): loss per epoch for the
// training and validation sets, or any named series.

export interface PlotOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** Plot the y axis on a log scale (values must be positive). */
  logY?: boolean;
}

export interface Series {
  name: string;
  values: number[];
}

const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
}

/** The smallest of 1, 2 or 5 times a power of ten that is at least `raw`. */
function niceStep(raw: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw)!;
}

/** Tick values between lo and hi, about `count` of them, on a nice step. */
function ticks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  const step = niceStep((hi - lo) / count);
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

function label(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(1) : String(+v.toPrecision(4));
}

/** A line chart of one or more series against their index (epoch 1, 2, ...), as SVG text. */
export function plotSeries(series: Series[], options: PlotOptions = {}): string {
  const W = options.width ?? 640;
  const H = options.height ?? 400;
  const m = { left: 70, right: 20, top: options.title ? 40 : 20, bottom: 50 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const logY = !!options.logY;
  const tf = (v: number) => (logY ? Math.log10(v) : v);
  const finite = series.flatMap((s) => s.values.map(tf)).filter(Number.isFinite);
  let yLo = finite.length ? Math.min(...finite) : 0;
  let yHi = finite.length ? Math.max(...finite) : 1;
  if (yLo === yHi) { yLo -= 0.5; yHi += 0.5; }
  const pad = (yHi - yLo) * 0.05;
  yLo -= pad; yHi += pad;
  const n = Math.max(2, ...series.map((s) => s.values.length));
  const x = (i: number) => m.left + (n === 1 ? 0 : (i / (n - 1)) * pw);
  const y = (v: number) => m.top + ph - ((tf(v) - yLo) / (yHi - yLo)) * ph;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  if (options.title) parts.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="15">${escapeXml(options.title)}</text>`);
  for (const t of ticks(yLo, yHi, 6)) {
    const yy = m.top + ph - ((t - yLo) / (yHi - yLo)) * ph;
    parts.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${yy.toFixed(1)}" y2="${yy.toFixed(1)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${m.left - 6}" y="${(yy + 4).toFixed(1)}" text-anchor="end">${label(logY ? 10 ** t : t)}</text>`);
  }
  // x ticks from the first epoch, every 1, 2, 5, 10, ... epochs
  const xStep = Math.max(1, niceStep((n - 1) / 10));
  for (let t = 1; t <= n; t += xStep) {
    const xx = x(t - 1);
    parts.push(`<text x="${xx.toFixed(1)}" y="${m.top + ph + 18}" text-anchor="middle">${t}</text>`);
  }
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  series.forEach((s, k) => {
    const color = COLORS[k % COLORS.length];
    const pts = s.values
      .map((v, i) => (Number.isFinite(tf(v)) ? `${x(i).toFixed(1)},${y(v).toFixed(1)}` : null))
      .filter((p) => p !== null);
    if (pts.length) parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.join(" ")}"/>`);
    const ly = m.top + 14 + k * 16;
    parts.push(`<line x1="${m.left + pw - 130}" x2="${m.left + pw - 110}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<text x="${m.left + pw - 104}" y="${ly}">${escapeXml(s.name)}</text>`);
  });
  parts.push(`<text x="${m.left + pw / 2}" y="${H - 12}" text-anchor="middle">${escapeXml(options.xLabel ?? "epoch")}</text>`);
  parts.push(`<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel ?? "loss")}</text>`);
  parts.push("</svg>");
  return parts.join("\n");
}

/** The loss curves of a fit() history (training and, when present, validation) as SVG text. */
export function plotHistory(history: { history: Record<string, number[]> }, options: PlotOptions & { keys?: string[] } = {}): string {
  const keys = options.keys ?? ["loss", "val_loss"].filter((k) => history.history[k]?.length);
  return plotSeries(
    keys.map((k) => ({ name: k, values: history.history[k] ?? [] })),
    { title: "Loss per epoch", ...options },
  );
}
