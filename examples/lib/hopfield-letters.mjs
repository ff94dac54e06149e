// 10x10 letter bitmaps for the Hopfield example: "#" is +1 (ink), "." is -1 (paper). Six letters
// whose pairwise overlaps stay moderate (|p·q| / 100 <= 0.36), so a 100-neuron network holds
// them all and pulls each back from 20% flipped pixels.

export const LETTERS = {
  A: [
    "...####...",
    "..##..##..",
    ".##....##.",
    "##......##",
    "##......##",
    "##########",
    "##########",
    "##......##",
    "##......##",
    "##......##",
  ],
  C: [
    "..######..",
    ".########.",
    "###....###",
    "##........",
    "##........",
    "##........",
    "##........",
    "###....###",
    ".########.",
    "..######..",
  ],
  H: [
    "##......##",
    "##......##",
    "##......##",
    "##......##",
    "##########",
    "##########",
    "##......##",
    "##......##",
    "##......##",
    "##......##",
  ],
  K: [
    "##.....##.",
    "##....##..",
    "##...##...",
    "##..##....",
    "####......",
    "####......",
    "##..##....",
    "##...##...",
    "##....##..",
    "##.....##.",
  ],
  V: [
    "##......##",
    "##......##",
    "##......##",
    ".##....##.",
    ".##....##.",
    ".##....##.",
    "..##..##..",
    "..##..##..",
    "...####...",
    "....##....",
  ],
  X: [
    "##......##",
    ".##....##.",
    "..##..##..",
    "...####...",
    "....##....",
    "....##....",
    "...####...",
    "..##..##..",
    ".##....##.",
    "##......##",
  ],
};

/** A letter as 100 values of +1 / -1, row by row. */
export function letterPattern(rows) {
  return rows.join("").split("").map((c) => (c === "#" ? 1 : -1));
}

/** Several 100-value patterns side by side as ASCII art, with a caption above each. */
export function asciiRow(patterns, captions, { on = "#", off = "." } = {}) {
  const lines = [captions.map((c) => c.slice(0, 10).padEnd(10)).join("   ")];
  for (let r = 0; r < 10; r++) {
    lines.push(patterns.map((p) => Array.from(p.slice(r * 10, r * 10 + 10), (v) => (v > 0 ? on : off)).join("")).join("   "));
  }
  return lines.join("\n");
}
