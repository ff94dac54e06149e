// The network diagram: input features, hidden neurons (each a small heat map of its output over
// the plane), the output, and one curved edge per weight, coloured and sized by the weight.
import { paintGrid, cssColor } from "./draw.mjs";
import { NEURON_RES, OUTPUT_RES } from "./trainer.mjs";

const NODE = 40; // neuron box, CSS px
const PITCH = 54; // vertical distance between neurons
const TOP = 62; // room for the per-layer +/- controls
const SVG_NS = "http://www.w3.org/2000/svg";
export const MAX_NEURONS = 8;

export class NetworkView {
  /**
   * handlers: onToggleFeature(id), onNeurons(layer, delta), onHover(target | null) where target is
   * { kind: "feature", id } | { kind: "neuron", layer, index } | { kind: "output" }.
   */
  constructor(container, handlers) {
    this.el = container;
    this.handlers = handlers;
    this.tooltip = document.createElement("div");
    this.tooltip.className = "tooltip";
    document.body.append(this.tooltip);
    this.spec = null;
    this.snapshot = null;
  }

  /**
   * Lay the diagram out for spec = { features: [{ id, label, active, grid }], hidden: number[] }.
   * It starts blank: paint it with update() once a snapshot of this network arrives.
   */
  build(spec) {
    this.spec = spec;
    this.snapshot = null;
    const el = this.el;
    el.replaceChildren();
    const width = Math.max(420, el.clientWidth);
    const rows = Math.max(spec.features.length, ...spec.hidden);
    const height = TOP + rows * PITCH;
    el.style.height = `${height}px`;

    const featX = 96;
    const outX = width - NODE / 2 - 4;
    const cols = spec.hidden.length + 1;
    const colX = (i) => featX + ((i + 1) * (outX - featX)) / cols; // hidden layer i
    const rowY = (r) => TOP + r * PITCH + NODE / 2;

    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("class", "edges");
    svg.setAttribute("width", String(width));
    svg.setAttribute("height", String(height));
    el.append(svg);

    // node positions (centres) per column: column 0 = active features, then hidden layers, then output
    const active = spec.features.filter((f) => f.active);
    const positions = [active.map((f) => ({ x: featX, y: rowY(spec.features.indexOf(f)) }))];
    spec.hidden.forEach((n, i) => positions.push(Array.from({ length: n }, (_, r) => ({ x: colX(i), y: rowY(r) }))));
    const last = positions[positions.length - 1];
    const outY = last.length ? (last[0].y + last[last.length - 1].y) / 2 : rowY(0);
    positions.push([{ x: outX, y: outY }]);

    // edges: layer l connects positions[l] (inputs) to positions[l + 1] (outputs), weight [out, in]
    this.edges = [];
    positions.slice(0, -1).forEach((inputs, l) => {
      const outputs = positions[l + 1];
      const layerEdges = [];
      outputs.forEach((b, o) => {
        inputs.forEach((a, i) => {
          const x1 = a.x + NODE / 2;
          const x2 = b.x - NODE / 2;
          const mx = (x1 + x2) / 2;
          const d = `M${x1},${a.y} C${mx},${a.y} ${mx},${b.y} ${x2},${b.y}`;
          const path = document.createElementNS(SVG_NS, "path");
          path.setAttribute("d", d);
          path.setAttribute("class", "edge");
          const hit = document.createElementNS(SVG_NS, "path");
          hit.setAttribute("d", d);
          hit.setAttribute("class", "edge-hit");
          const from = l === 0 ? active[i].label : `layer ${l} · neuron ${i + 1}`;
          const to = l === spec.hidden.length ? "output" : `layer ${l + 1} · neuron ${o + 1}`;
          const edge = { path, value: 0 };
          hit.addEventListener("mousemove", (e) => this.showTip(e, `${from} → ${to}   w = ${edge.value.toFixed(3)}`));
          hit.addEventListener("mouseleave", () => this.hideTip());
          svg.append(path, hit);
          layerEdges.push(edge); // index o * inputs.length + i, as in the weight matrix
        });
      });
      this.edges.push(layerEdges);
    });

    // feature nodes (all of them; inactive ones dimmed) with labels
    spec.features.forEach((f, r) => {
      const y = rowY(r);
      const node = this.node(featX, y, `feature${f.active ? "" : " off"}`);
      node.box.dataset.feature = f.id;
      paintGrid(node.canvas, f.grid, NEURON_RES);
      const label = document.createElement("div");
      label.className = `node-label${f.active ? "" : " off"}`;
      label.textContent = f.label;
      label.style.left = `${featX - NODE / 2}px`;
      label.style.top = `${y}px`;
      const toggle = () => this.handlers.onToggleFeature(f.id);
      node.box.addEventListener("click", toggle);
      label.addEventListener("click", toggle);
      node.box.addEventListener("mouseenter", () => this.handlers.onHover({ kind: "feature", id: f.id }));
      node.box.addEventListener("mouseleave", () => this.handlers.onHover(null));
      el.append(label);
    });

    // hidden neurons and the per-layer controls
    this.neurons = spec.hidden.map((n, l) => {
      const x = colX(l);
      const controls = document.createElement("div");
      controls.className = "layer-controls";
      controls.style.left = `${x}px`;
      controls.style.top = "4px";
      const pair = document.createElement("div");
      pair.className = "pair";
      for (const [text, delta, title] of [["+", 1, "Add a neuron"], ["−", -1, "Remove a neuron"]]) {
        const b = document.createElement("button");
        b.className = "round-button small";
        b.textContent = text;
        b.title = title;
        b.setAttribute("aria-label", `${title} to layer ${l + 1}`);
        b.disabled = delta > 0 ? n >= MAX_NEURONS : n <= 1;
        b.addEventListener("click", () => this.handlers.onNeurons(l, delta));
        pair.append(b);
      }
      const count = document.createElement("span");
      count.textContent = `${n} neuron${n === 1 ? "" : "s"}`;
      controls.append(pair, count);
      el.append(controls);
      return Array.from({ length: n }, (_, j) => {
        const node = this.node(x, rowY(j), "neuron");
        node.box.addEventListener("mouseenter", () => this.handlers.onHover({ kind: "neuron", layer: l, index: j }));
        node.box.addEventListener("mouseleave", () => { this.handlers.onHover(null); this.hideTip(); });
        node.box.addEventListener("mousemove", (e) => {
          const b = this.biasOf(l, j);
          if (b !== null) this.showTip(e, `layer ${l + 1} · neuron ${j + 1}   bias = ${b.toFixed(3)}`);
        });
        const bias = document.createElement("div");
        bias.className = "bias";
        node.box.append(bias);
        return { ...node, bias };
      });
    });

    const out = this.node(outX, outY, "output-node");
    out.box.addEventListener("mouseenter", () => this.handlers.onHover({ kind: "output" }));
    out.box.addEventListener("mouseleave", () => this.handlers.onHover(null));
    const outBias = document.createElement("div");
    outBias.className = "bias";
    out.box.append(outBias);
    this.output = { ...out, bias: outBias };
  }

  node(x, y, kind) {
    const box = document.createElement("div");
    box.className = `node ${kind}`;
    box.style.left = `${x - NODE / 2}px`;
    box.style.top = `${y - NODE / 2}px`;
    box.style.width = `${NODE}px`;
    box.style.height = `${NODE}px`;
    const canvas = document.createElement("canvas");
    canvas.width = NEURON_RES;
    canvas.height = NEURON_RES;
    box.append(canvas);
    this.el.append(box);
    return { box, canvas };
  }

  biasOf(layer, index) {
    const w = this.snapshot?.weights?.[layer];
    return w ? w.b[index] : null;
  }

  /** Paint the neurons and edges from a worker snapshot (it must match the built spec). */
  update(snap) {
    this.snapshot = snap;
    if (!this.spec || snap.weights.length !== this.edges.length) return;
    const cells = NEURON_RES * NEURON_RES;
    this.neurons.forEach((layer, l) => {
      const values = snap.neurons[l];
      if (!values) return;
      layer.forEach((n, j) => {
        paintGrid(n.canvas, values.subarray(j * cells, (j + 1) * cells), NEURON_RES);
        n.bias.style.background = cssColor(snap.weights[l].b[j]);
      });
    });
    paintGrid(this.output.canvas, snap.output, OUTPUT_RES);
    this.output.bias.style.background = cssColor(snap.weights[snap.weights.length - 1].b[0]);
    this.edges.forEach((layerEdges, l) => {
      const w = snap.weights[l].w;
      if (w.length !== layerEdges.length) return;
      layerEdges.forEach((edge, k) => {
        const v = w[k];
        edge.value = v;
        edge.path.setAttribute("stroke", cssColor(v));
        edge.path.setAttribute("stroke-width", (0.5 + 4.5 * Math.tanh(Math.abs(v) / 2.5)).toFixed(2));
      });
    });
  }

  showTip(e, text) {
    this.tooltip.textContent = text;
    this.tooltip.style.left = `${e.clientX}px`;
    this.tooltip.style.top = `${e.clientY}px`;
    this.tooltip.style.display = "block";
  }

  hideTip() {
    this.tooltip.style.display = "none";
  }
}
