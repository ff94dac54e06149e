// Input features computed from a point (x, y) in [-6, 6]², as in the original playground.
// Coordinates are divided by 3 so that each feature is of order one (an input of 36 would
// saturate tanh units at the first step); sin keeps the raw coordinate so it makes about two
// periods across the plane.

const S = 3;

export const FEATURES = [
  { id: "x1", label: "X₁", fn: (x, _y) => x / S },
  { id: "x2", label: "X₂", fn: (_x, y) => y / S },
  { id: "x1sq", label: "X₁²", fn: (x, _y) => (x / S) ** 2 },
  { id: "x2sq", label: "X₂²", fn: (_x, y) => (y / S) ** 2 },
  { id: "x1x2", label: "X₁X₂", fn: (x, y) => (x / S) * (y / S) },
  { id: "sinx1", label: "sin(X₁)", fn: (x, _y) => Math.sin(x) },
  { id: "sinx2", label: "sin(X₂)", fn: (_x, y) => Math.sin(y) },
];

/** Rows of the selected features for each point, as one row-major Float32Array [points.length, ids.length]. */
export function featureMatrix(points, ids) {
  const fns = ids.map((id) => {
    const f = FEATURES.find((g) => g.id === id);
    if (!f) throw new RangeError(`featureMatrix: unknown feature ${JSON.stringify(id)}`);
    return f.fn;
  });
  const out = new Float32Array(points.length * fns.length);
  points.forEach((p, i) => fns.forEach((fn, j) => { out[i * fns.length + j] = fn(p.x, p.y); }));
  return out;
}

/**
 * The centres of a res × res grid over [-domain, domain]², row 0 at the top (largest y), so
 * that grid cell (row, col) maps straight onto canvas pixel (col, row).
 */
export function gridPoints(res, domain) {
  const pts = new Array(res * res);
  for (let row = 0; row < res; row++) {
    for (let col = 0; col < res; col++) {
      pts[row * res + col] = {
        x: -domain + ((col + 0.5) / res) * 2 * domain,
        y: domain - ((row + 0.5) / res) * 2 * domain,
      };
    }
  }
  return pts;
}
