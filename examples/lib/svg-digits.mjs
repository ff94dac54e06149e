// Digits as SVG: each 28x28 grey image becomes rects (ink dark on white), one rect per horizontal run of
// pixels with the same quantized grey level, so a page of digits stays small. No dependencies.

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Rects for one image (values in [0, 1], 1 = ink) placed at (x0, y0), `scale` px per pixel, `levels` greys. */
export function digitRects(pixels, x0, y0, { side = 28, scale = 3, levels = 16 } = {}) {
  const out = [];
  for (let r = 0; r < side; r++) {
    let c = 0;
    while (c < side) {
      const q = Math.round(Math.min(1, Math.max(0, pixels[r * side + c])) * (levels - 1));
      let end = c + 1;
      while (end < side && Math.round(Math.min(1, Math.max(0, pixels[r * side + end])) * (levels - 1)) === q) end++;
      if (q > 0) {
        const grey = Math.round(255 * (1 - q / (levels - 1)));
        out.push(`<rect x="${x0 + c * scale}" y="${y0 + r * scale}" width="${(end - c) * scale}" height="${scale}" fill="rgb(${grey},${grey},${grey})"/>`);
      }
      c = end;
    }
  }
  return out.join("");
}

/**
 * A page of labelled rows of digits: rows = [{ label, images: [Float32Array(784), ...] }], all rows the
 * same length. Returns the SVG text.
 */
export function digitRowsSvg(rows, { title = "", side = 28, scale = 3, gap = 6, labelWidth = 150 } = {}) {
  const cell = side * scale;
  const cols = Math.max(...rows.map((r) => r.images.length));
  const top = title ? 30 : 8;
  const width = labelWidth + cols * (cell + gap) + gap;
  const height = top + rows.length * (cell + gap) + gap;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  ];
  if (title) parts.push(`<text x="${gap}" y="20" font-size="15" font-weight="bold">${esc(title)}</text>`);
  rows.forEach((row, i) => {
    const y = top + i * (cell + gap);
    parts.push(`<text x="${gap}" y="${y + cell / 2 + 5}">${esc(row.label)}</text>`);
    row.images.forEach((img, j) => {
      const x = labelWidth + j * (cell + gap);
      parts.push(`<rect x="${x - 0.5}" y="${y - 0.5}" width="${cell + 1}" height="${cell + 1}" fill="none" stroke="#ccc"/>`);
      parts.push(digitRects(img, x, y, { side, scale }));
    });
  });
  parts.push("</svg>");
  return parts.join("\n");
}
