// Drawing graphs: a deterministic force-directed layout (Fruchterman & Reingold, 1991) and SVG
// output. Plain JavaScript: the layout is a picture aid, not part of the model.
import { mulberry32 } from "./prng.mjs";

/**
 * Positions in [0, 1]² for `n` nodes joined by undirected `edges` ([a, b] pairs): nodes repel
 * (k²/d), edges attract (d²/k), moves are capped by a temperature that cools linearly. Starts
 * on a circle jittered by `seed`, so the same graph and seed always give the same picture.
 * Finally nodes closer than `minSeparation` (in the unit square) are pushed apart.
 */
export function forceLayout(n, edges, { iterations = 300, seed = 1, minSeparation = 0.06 } = {}) {
  const rnd = mulberry32(seed);
  const pos = Array.from({ length: n }, (_, i) => {
    const a = (2 * Math.PI * i) / Math.max(n, 1);
    return [0.5 + 0.4 * Math.cos(a) + 0.02 * (rnd() - 0.5), 0.5 + 0.4 * Math.sin(a) + 0.02 * (rnd() - 0.5)];
  });
  if (n < 2) return pos.map(() => [0.5, 0.5]);
  const k = Math.sqrt(1 / n);
  for (let it = 0; it < iterations; it++) {
    const t = 0.1 * (1 - it / iterations) + 0.002;
    const disp = pos.map(() => [0, 0]);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const dx = pos[i][0] - pos[j][0];
        const dy = pos[i][1] - pos[j][1];
        const d = Math.max(Math.hypot(dx, dy), 1e-4);
        const f = (k * k) / d;
        disp[i][0] += (dx / d) * f; disp[i][1] += (dy / d) * f;
        disp[j][0] -= (dx / d) * f; disp[j][1] -= (dy / d) * f;
      }
    }
    for (const [a, b] of edges) {
      const dx = pos[a][0] - pos[b][0];
      const dy = pos[a][1] - pos[b][1];
      const d = Math.max(Math.hypot(dx, dy), 1e-4);
      const f = (d * d) / k;
      disp[a][0] -= (dx / d) * f; disp[a][1] -= (dy / d) * f;
      disp[b][0] += (dx / d) * f; disp[b][1] += (dy / d) * f;
    }
    for (let i = 0; i < n; i++) {
      const d = Math.max(Math.hypot(disp[i][0], disp[i][1]), 1e-9);
      const step = Math.min(d, t);
      pos[i][0] += (disp[i][0] / d) * step;
      pos[i][1] += (disp[i][1] / d) * step;
    }
  }
  return separate(fit(pos), minSeparation);
}

/** Scale and centre into [0, 1]² keeping the aspect ratio. */
function fit(pos) {
  const xs = pos.map((p) => p[0]);
  const ys = pos.map((p) => p[1]);
  const [x0, y0] = [Math.min(...xs), Math.min(...ys)];
  const span = Math.max(Math.max(...xs) - x0, Math.max(...ys) - y0, 1e-9);
  const ox = (1 - (Math.max(...xs) - x0) / span) / 2;
  const oy = (1 - (Math.max(...ys) - y0) / span) / 2;
  return pos.map(([x, y]) => [ox + (x - x0) / span, oy + (y - y0) / span]);
}

/** Push apart nodes closer than `minDist` (hubs sharing most neighbours land on top of each other), then refit. */
function separate(pos, minDist) {
  const n = pos.length;
  for (let it = 0; it < 100; it++) {
    let moved = false;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const dx = pos[i][0] - pos[j][0];
        const dy = pos[i][1] - pos[j][1];
        const d = Math.hypot(dx, dy);
        if (d >= minDist) continue;
        const [ux, uy] = d > 1e-9 ? [dx / d, dy / d] : [1, 0];
        const push = (minDist - d) / 2;
        pos[i][0] += ux * push; pos[i][1] += uy * push;
        pos[j][0] -= ux * push; pos[j][1] -= uy * push;
        moved = true;
      }
    }
    if (!moved) break;
  }
  return fit(pos);
}

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * SVG elements for one graph drawn in the box (x, y, w, h): edges as lines, nodes as circles
 * filled with `colors[i]`, an optional label in each node, a thick ring where `ring[i]` and a
 * red cross where `wrong[i]`.
 */
export function drawGraph({ pos, edges, colors, labels = null, ring = null, wrong = null, box, radius = 9 }) {
  const [bx, by, bw, bh] = box;
  const P = pos.map(([px, py]) => [bx + radius + px * (bw - 2 * radius), by + radius + py * (bh - 2 * radius)]);
  const parts = [];
  for (const [a, b] of edges) {
    parts.push(`<line x1="${P[a][0].toFixed(1)}" y1="${P[a][1].toFixed(1)}" x2="${P[b][0].toFixed(1)}" y2="${P[b][1].toFixed(1)}" stroke="#999" stroke-width="1"/>`);
  }
  P.forEach(([px, py], i) => {
    const stroke = ring?.[i] ? `stroke="#000" stroke-width="3"` : `stroke="#333" stroke-width="1"`;
    parts.push(`<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="${radius}" fill="${colors[i]}" ${stroke}/>`);
    if (wrong?.[i]) {
      const r = radius + 5;
      parts.push(`<path d="M${(px - r).toFixed(1)},${(py - r).toFixed(1)} L${(px + r).toFixed(1)},${(py + r).toFixed(1)} M${(px + r).toFixed(1)},${(py - r).toFixed(1)} L${(px - r).toFixed(1)},${(py + r).toFixed(1)}" stroke="#d00" stroke-width="2.5" opacity="0.85"/>`);
    }
    if (labels) parts.push(`<text x="${px.toFixed(1)}" y="${(py + 4).toFixed(1)}" text-anchor="middle" font-size="${Math.round(radius * 1.1)}" fill="#fff">${esc(labels[i])}</text>`);
  });
  return parts.join("\n");
}

/** A whole SVG document of the given size around `body` (SVG elements), with a title line. */
export function svgDocument(width, height, title, body) {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`,
    body,
    "</svg>",
  ].join("\n");
}

export { esc };
