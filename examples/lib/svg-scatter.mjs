// Scatter plots as SVG: a grid of square panels, each with a title and point series drawn as small
// circles over a shared data extent. No dependencies.

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * panels = [{ title, series: [{ points: Float32Array of x0, y0, x1, y1, ..., color, radius?, opacity? }] }],
 * laid out `columns` per row; every panel shows [-extent, extent]² with light axes. Returns the SVG text.
 */
export function scatterPanelsSvg(panels, { title = "", columns = 3, size = 260, extent = 3, gap = 16, caption = "" } = {}) {
  const rows = Math.ceil(panels.length / columns);
  const top = title ? 34 : 8;
  const head = 20;
  const width = gap + columns * (size + gap);
  const height = top + rows * (size + head + gap) + (caption ? 22 : 0);
  const px = (v) => ((v + extent) / (2 * extent)) * size;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  ];
  if (title) out.push(`<text x="${gap}" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`);
  panels.forEach((panel, i) => {
    const x0 = gap + (i % columns) * (size + gap);
    const y0 = top + Math.floor(i / columns) * (size + head + gap);
    out.push(`<text x="${x0}" y="${y0 + 14}">${esc(panel.title)}</text>`);
    const py = y0 + head;
    out.push(`<g transform="translate(${x0},${py})">`);
    out.push(`<rect width="${size}" height="${size}" fill="#fafafa" stroke="#bbb"/>`);
    out.push(`<line x1="${px(0)}" y1="0" x2="${px(0)}" y2="${size}" stroke="#e4e4e4"/><line x1="0" y1="${px(0)}" x2="${size}" y2="${px(0)}" stroke="#e4e4e4"/>`);
    for (const s of panel.series) {
      const r = s.radius ?? 1.6;
      const dots = [];
      for (let k = 0; k + 1 < s.points.length; k += 2) {
        const x = px(s.points[k]), y = size - px(s.points[k + 1]);
        if (x < 0 || x > size || y < 0 || y > size) continue; // outside the panel
        dots.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${r}"/>`);
      }
      out.push(`<g fill="${s.color}" fill-opacity="${s.opacity ?? 0.6}">${dots.join("")}</g>`);
    }
    out.push("</g>");
  });
  if (caption) out.push(`<text x="${gap}" y="${height - 8}" fill="#555">${esc(caption)}</text>`);
  out.push("</svg>");
  return out.join("\n");
}
