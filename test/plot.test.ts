// Loss plots: a standalone SVG with one polyline per series, epoch ticks from 1, escaped names.
import { describe, it, expect } from "vitest";
import * as nt from "../src/index";

describe("plotHistory / plotSeries", () => {
  it("draws the training and validation curves of a history", () => {
    const svg = nt.plotHistory({ history: { loss: [1, 0.5, 0.25, 0.2], val_loss: [1.1, 0.7, 0.6, 0.6], accuracy: [0.5, 0.7, 0.8, 0.9] } });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.match(/<polyline/g)!.length).toBe(2);
    expect(svg).toContain(">loss<");
    expect(svg).toContain(">val_loss<");
    expect(svg).not.toContain(">accuracy<");
    const xTicks = [...svg.matchAll(/text-anchor="middle">(\d+)</g)].map((m) => Number(m[1]));
    expect(xTicks).toEqual([1, 2, 3, 4]);
  });

  it("escapes names and leaves out non-finite points", () => {
    const svg = nt.plotSeries([{ name: "a<b & c", values: [1, NaN, 3] }], { title: "x > y" });
    expect(svg).toContain("a&lt;b &amp; c");
    expect(svg).toContain("x &gt; y");
    const points = /points="([^"]*)"/.exec(svg)![1].trim().split(" ");
    expect(points.length).toBe(2);
  });
});
