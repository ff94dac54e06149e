// Canvas drawing: the colour scale, grid heat maps, the data points with axes, the dataset
// thumbnails and the loss chart. No state: every function draws what it is given.
import { DOMAIN } from "./datasets.mjs";

const ORANGE = [245, 147, 34];
const NEUTRAL = [232, 234, 235];
const BLUE = [8, 119, 189];
export const CLASS_COLORS = ["#f59322", "#0877bd"]; // label 0, label 1

/** v in [-1, 1] (clamped) -> [r, g, b] on orange - grey - blue. */
export function colorOf(v) {
  const t = Math.max(-1, Math.min(1, Number.isFinite(v) ? v : 0));
  const [from, to, k] = t < 0 ? [NEUTRAL, ORANGE, -t] : [NEUTRAL, BLUE, t];
  return [from[0] + (to[0] - from[0]) * k, from[1] + (to[1] - from[1]) * k, from[2] + (to[2] - from[2]) * k];
}

export const cssColor = (v) => {
  const [r, g, b] = colorOf(v);
  return `rgb(${r | 0},${g | 0},${b | 0})`;
};

/**
 * Fill a res×res canvas with the colours of `values` (row-major, row 0 on top).
 * soften blends towards white (the big heat map sits under the points); discretize shows sign only.
 */
export function paintGrid(canvas, values, res, { soften = 0, discretize = false, scale = 1 } = {}) {
  if (canvas.width !== res) canvas.width = res;
  if (canvas.height !== res) canvas.height = res;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(res, res);
  const px = img.data;
  for (let i = 0; i < res * res; i++) {
    let v = values[i] * scale;
    if (discretize) v = v > 0 ? 1 : -1;
    const c = colorOf(v);
    px[4 * i] = c[0] + (255 - c[0]) * soften;
    px[4 * i + 1] = c[1] + (255 - c[1]) * soften;
    px[4 * i + 2] = c[2] + (255 - c[2]) * soften;
    px[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/** Size a canvas's backing store to its CSS box times the device pixel ratio; returns the CSS size. */
export function fitCanvas(canvas) {
  const dpr = Math.max(1, window.devicePixelRatio || 1);
  const w = Math.max(1, Math.round(canvas.clientWidth));
  const h = Math.max(1, Math.round(canvas.clientHeight));
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, w, h };
}

const AXIS = { left: 24, bottom: 20, top: 2, right: 2 };

/**
 * The decision boundary: `grid` (a res×res canvas already painted) scaled into the plot area,
 * the points on top (test points ringed in dark), and axes from -6 to 6.
 */
export function drawHeatmap(canvas, grid, { train, test, showTest }) {
  const { ctx, w, h } = fitCanvas(canvas);
  const size = Math.min(w - AXIS.left - AXIS.right, h - AXIS.top - AXIS.bottom);
  const x0 = AXIS.left;
  const y0 = AXIS.top;
  ctx.clearRect(0, 0, w, h);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  if (grid) ctx.drawImage(grid, x0, y0, size, size);
  else {
    ctx.fillStyle = "#f3f4f6";
    ctx.fillRect(x0, y0, size, size);
  }
  const sx = (x) => x0 + ((x + DOMAIN) / (2 * DOMAIN)) * size;
  const sy = (y) => y0 + ((DOMAIN - y) / (2 * DOMAIN)) * size;

  ctx.save();
  ctx.beginPath();
  ctx.rect(x0, y0, size, size);
  ctx.clip();
  const dot = (p, ring) => {
    ctx.beginPath();
    ctx.arc(sx(p.x), sy(p.y), 3.4, 0, 2 * Math.PI);
    ctx.fillStyle = CLASS_COLORS[p.label];
    ctx.fill();
    ctx.lineWidth = ring ? 1.4 : 1;
    ctx.strokeStyle = ring ? "#1b1f23" : "#ffffff";
    ctx.stroke();
  };
  for (const p of train) dot(p, false);
  if (showTest) for (const p of test) dot(p, true);
  ctx.restore();

  // axes
  ctx.strokeStyle = "#9aa0a6";
  ctx.fillStyle = "#777c82";
  ctx.lineWidth = 1;
  ctx.font = "10.5px system-ui, sans-serif";
  ctx.beginPath();
  ctx.moveTo(x0 - 0.5, y0);
  ctx.lineTo(x0 - 0.5, y0 + size + 0.5);
  ctx.lineTo(x0 + size, y0 + size + 0.5);
  ctx.stroke();
  for (let v = -DOMAIN; v <= DOMAIN; v += 2) {
    const tx = sx(v);
    const ty = sy(v);
    ctx.beginPath();
    ctx.moveTo(tx, y0 + size);
    ctx.lineTo(tx, y0 + size + 4);
    ctx.moveTo(x0 - 4, ty);
    ctx.lineTo(x0, ty);
    ctx.stroke();
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.fillText(String(v), Math.min(Math.max(tx, x0 + 6), x0 + size - 6), y0 + size + 6);
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    ctx.fillText(String(v), x0 - 6, Math.min(Math.max(ty, y0 + 6), y0 + size - 6));
  }
}

/** A dataset thumbnail: its points on a light background. */
export function drawThumbnail(canvas, points) {
  const { ctx, w, h } = fitCanvas(canvas);
  ctx.fillStyle = "#f6f7f8";
  ctx.fillRect(0, 0, w, h);
  for (const p of points) {
    ctx.fillStyle = CLASS_COLORS[p.label];
    ctx.beginPath();
    ctx.arc(((p.x + DOMAIN) / (2 * DOMAIN)) * w, ((DOMAIN - p.y) / (2 * DOMAIN)) * h, 1.5, 0, 2 * Math.PI);
    ctx.fill();
  }
}

/** The loss curves: history is [{ epoch, train, test }], drawn from epoch 0 with a shared y scale from 0. */
export function drawLossChart(canvas, history) {
  const { ctx, w, h } = fitCanvas(canvas);
  ctx.clearRect(0, 0, w, h);
  const pad = { l: 30, r: 6, t: 6, b: 14 };
  const pw = w - pad.l - pad.r;
  const ph = h - pad.t - pad.b;
  let top = 0;
  for (const e of history) top = Math.max(top, Number.isFinite(e.train) ? e.train : 0, Number.isFinite(e.test) ? e.test : 0);
  top = top > 0 ? niceCeil(top) : 1;
  const last = history.length ? history[history.length - 1].epoch : 0;
  const span = Math.max(1, last);

  ctx.font = "10px system-ui, sans-serif";
  ctx.fillStyle = "#9aa0a6";
  ctx.strokeStyle = "#eceef0";
  ctx.lineWidth = 1;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const f of [0, 0.5, 1]) {
    const y = Math.round(pad.t + ph * (1 - f)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(pad.l, y);
    ctx.lineTo(pad.l + pw, y);
    ctx.stroke();
    ctx.fillText(formatTick(top * f), pad.l - 5, y);
  }
  ctx.textAlign = "left";
  ctx.textBaseline = "top";
  ctx.fillText("0", pad.l, pad.t + ph + 3);
  ctx.textAlign = "right";
  ctx.fillText(`${last} epochs`, pad.l + pw, pad.t + ph + 3);

  // about one point per pixel column is plenty: thin a long history, always keeping the newest point
  const stride = Math.max(1, Math.floor(history.length / (pw * 1.5)));
  const picks = [];
  for (let i = 0; i < history.length; i += stride) picks.push(i);
  if (history.length && picks[picks.length - 1] !== history.length - 1) picks.push(history.length - 1);
  const line = (key, color) => {
    ctx.beginPath();
    let started = false;
    for (const i of picks) {
      const e = history[i];
      const v = e[key];
      if (!Number.isFinite(v)) continue;
      const x = pad.l + (e.epoch / span) * pw;
      const y = pad.t + ph * (1 - Math.min(v, top) / top);
      if (started) ctx.lineTo(x, y);
      else { ctx.moveTo(x, y); started = true; }
    }
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.6;
    ctx.lineJoin = "round";
    ctx.stroke();
  };
  line("test", "#f59322");
  line("train", "#2c2f33");
}

function niceCeil(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

const formatTick = (v) => (v === 0 ? "0" : v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toFixed(2));
