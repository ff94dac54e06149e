// Graph convolution layers with PyTorch Geometric 2.x's names, options, parameter layouts and
// state-dict keys, so weights move between PyG and neurite unchanged:
//   GCNConv:  "lin.weight" [out, in], "bias" [out]
//   SAGEConv: "lin_l.weight" [out, in], "lin_l.bias" [out], "lin_r.weight" [out, in]
import { Tensor } from "../tensor";
import { zeros } from "../ops/creation";
import { add, div, mul, sqrt, clamp } from "../ops/elementwise";
import { sum } from "../ops/reduce";
import { propagate, gcnNorm, type Aggregation } from "../ops/graph";
import { xavierUniform_, zeros_ } from "../init";
import { Module } from "./module";
import { Linear } from "./linear";
import { describe, fmt } from "../shape";
import { flag, positiveInt } from "../args";

export { globalMeanPool, globalAddPool } from "../ops/graph";


function checkNodes(op: string, x: unknown, inChannels: number): Tensor {
  if (!(x instanceof Tensor) || x.ndim !== 2 || x.shape[1] !== inChannels) {
    const got = x instanceof Tensor ? fmt(x.shape) : describe(x);
    throw new RangeError(`${op}: x must be node features [N, ${inChannels}], got ${got}`);
  }
  return x;
}

export interface GCNConvOptions {
  /** Add a learnable bias (default true). */
  bias?: boolean;
  /** Add the remaining self loops before normalizing (default true; only used when normalize is on). */
  addSelfLoops?: boolean;
  /** Use the symmetric normalization D^-1/2 (A + I) D^-1/2 (default true); false sums raw weighted messages. */
  normalize?: boolean;
  /** Self loops weigh 2 instead of 1 (default false). */
  improved?: boolean;
}

/**
 * Kipf & Welling's graph convolution, as torch_geometric.nn.GCNConv:
 * out = D^-1/2 (A + I) D^-1/2 · (x Wᵀ) + b, where A holds the edge weights (default 1), D is the
 * in-degree at the target including self loops, W is lin.weight [out, in] (glorot-initialized) and b
 * the bias (zeros). Call as conv(x, edgeIndex, edgeWeight?).
 */
export class GCNConv extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly addSelfLoops: boolean;
  readonly normalize: boolean;
  readonly improved: boolean;
  readonly lin: Linear;
  bias: Tensor | null;

  constructor(inChannels: number, outChannels: number, options: GCNConvOptions = {}) {
    super();
    const op = "nn.GCNConv";
    this.inChannels = positiveInt(op, "inChannels", inChannels);
    this.outChannels = positiveInt(op, "outChannels", outChannels);
    const bias = flag(op, "bias", options.bias, true);
    this.addSelfLoops = flag(op, "addSelfLoops", options.addSelfLoops, true);
    this.normalize = flag(op, "normalize", options.normalize, true);
    this.improved = flag(op, "improved", options.improved, false);
    this.lin = this.registerModule("lin", new Linear(inChannels, outChannels, { bias: false })) as Linear;
    this.bias = this.registerParameter("bias", bias ? zeros([outChannels]) : null);
    this.resetParameters();
  }

  /** Glorot (xavier-uniform) weight and zero bias, as PyG. */
  resetParameters(): void {
    xavierUniform_(this.lin.weight);
    if (this.bias) zeros_(this.bias);
  }

  forward(x: Tensor, edgeIndex: Tensor, edgeWeight?: Tensor | null): Tensor {
    checkNodes("nn.GCNConv", x, this.inChannels);
    let edges = edgeIndex;
    let weight = edgeWeight ?? null;
    if (this.normalize) {
      const normed = gcnNorm(edgeIndex, x.shape[0], edgeWeight, { addSelfLoops: this.addSelfLoops, improved: this.improved });
      edges = normed.edgeIndex;
      weight = normed.edgeWeight;
    }
    const h = this.lin(x);
    const out = propagate(h, edges, { edgeWeight: weight, aggr: "add" });
    return this.bias ? add(out, this.bias) : out;
  }

  extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}`;
  }

  /** PyG's repr: "GCNConv(16, 32)" (the inner Linear is an implementation detail). */
  toString(): string {
    return `${this.typeName}(${this.extraRepr()})`;
  }
}

export interface SAGEConvOptions {
  /** Neighbour aggregation: "mean" (default) or "add"/"sum". */
  aggr?: Aggregation;
  /** Bias of lin_l (default true). */
  bias?: boolean;
  /** Add lin_r(x), the node's own transformed features (default true). */
  rootWeight?: boolean;
  /** L2-normalize each output row (default false). */
  normalize?: boolean;
}

/**
 * GraphSAGE (Hamilton et al.), as torch_geometric.nn.SAGEConv:
 * out = lin_l(aggr of x over incoming neighbours) + lin_r(x), optionally L2-normalized per node.
 * lin_l and lin_r are Linear layers with PyTorch's default initialization; lin_r has no bias.
 * Call as conv(x, edgeIndex).
 */
export class SAGEConv extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly aggr: Aggregation;
  readonly rootWeight: boolean;
  readonly normalize: boolean;
  readonly lin_l: Linear;
  readonly lin_r: Linear | null;

  constructor(inChannels: number, outChannels: number, options: SAGEConvOptions = {}) {
    super();
    const op = "nn.SAGEConv";
    this.inChannels = positiveInt(op, "inChannels", inChannels);
    this.outChannels = positiveInt(op, "outChannels", outChannels);
    const aggr = options.aggr ?? "mean";
    if (aggr !== "mean" && aggr !== "add" && aggr !== "sum") {
      throw new RangeError(`${op}: aggr must be "mean", "add" or "sum", got ${describe(aggr)}`);
    }
    this.aggr = aggr;
    const bias = flag(op, "bias", options.bias, true);
    this.rootWeight = flag(op, "rootWeight", options.rootWeight, true);
    this.normalize = flag(op, "normalize", options.normalize, false);
    this.lin_l = this.registerModule("lin_l", new Linear(inChannels, outChannels, { bias })) as Linear;
    this.lin_r = this.rootWeight ? (this.registerModule("lin_r", new Linear(inChannels, outChannels, { bias: false })) as Linear) : null;
  }

  forward(x: Tensor, edgeIndex: Tensor): Tensor {
    checkNodes("nn.SAGEConv", x, this.inChannels);
    const agg = propagate(x, edgeIndex, { aggr: this.aggr });
    let out = this.lin_l(agg);
    if (this.lin_r) out = add(out, this.lin_r(x));
    if (this.normalize) {
      // F.normalize(out, p=2, dim=-1): out / max(||out||, 1e-12), written as sqrt(max(||out||², 1e-24))
      // so an all-zero row gets gradient 0 rather than the NaN of sqrt'(0).
      const norm = sqrt(clamp(sum(mul(out, out), -1, true), 1e-24));
      out = div(out, norm);
    }
    return out;
  }

  extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, aggr=${this.aggr}`;
  }

  /** PyG's repr: "SAGEConv(16, 32, aggr=mean)". */
  toString(): string {
    return `${this.typeName}(${this.extraRepr()})`;
  }
}
