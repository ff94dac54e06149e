// nn.Embedding: a lookup table of numEmbeddings vectors of embeddingDim, indexed by float tensors that hold
// whole numbers (the engine's only dtype). PyTorch's N(0, 1) initialization; the paddingIdx row starts at
// zero and never receives a gradient.
import { Tensor, checkTensor } from "../tensor";
import { getEngine } from "../engine";
import { empty } from "../ops/creation";
import { embedding } from "../ops/norm";
import { normal_ } from "../init";
import { noGrad } from "../autograd";
import { Module } from "./module";
import { fmt, describe } from "../shape";
import { positiveInt } from "../args";

export interface EmbeddingOptions {
  /** A row that stays out of training (zero at initialization, no gradient); negative counts from the end. */
  paddingIdx?: number | null;
}

export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  /** The padding row in [0, numEmbeddings), or null. */
  readonly paddingIdx: number | null;
  readonly weight: Tensor;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    const op = "nn.Embedding";
    if (options === null || typeof options !== "object") throw new TypeError(`${op}: options must be an object, got ${describe(options)}`);
    this.numEmbeddings = positiveInt(op, "numEmbeddings", numEmbeddings);
    this.embeddingDim = positiveInt(op, "embeddingDim", embeddingDim);
    const pad = options.paddingIdx;
    if (pad !== undefined && pad !== null && (typeof pad !== "number" || !Number.isInteger(pad) || pad < -numEmbeddings || pad >= numEmbeddings)) {
      throw new RangeError(`${op}: paddingIdx must be an integer in [${-numEmbeddings}, ${numEmbeddings}), got ${describe(pad)}`);
    }
    this.paddingIdx = pad === undefined || pad === null ? null : pad < 0 ? pad + numEmbeddings : pad;
    this.weight = this.registerParameter("weight", empty([numEmbeddings, embeddingDim]))!;
    this.resetParameters();
  }

  /**
   * An Embedding holding a copy of `embeddings` [numEmbeddings, embeddingDim] (torch's from_pretrained);
   * frozen (no gradient) unless freeze is false. The padding row keeps its given values.
   */
  static fromPretrained(embeddings: Tensor, options: EmbeddingOptions & { freeze?: boolean } = {}): Embedding {
    const op = "nn.Embedding.fromPretrained";
    checkTensor(op, "embeddings", embeddings);
    if (embeddings.ndim !== 2) throw new RangeError(`${op}: embeddings must be 2-D [numEmbeddings, embeddingDim], got ${fmt(embeddings.shape)}`);
    const freeze = options.freeze ?? true;
    if (typeof freeze !== "boolean") throw new TypeError(`${op}: freeze must be a boolean, got ${describe(freeze)}`);
    const m = new Embedding(embeddings.shape[0], embeddings.shape[1], { paddingIdx: options.paddingIdx });
    getEngine(op).core.copy_f32(m.weight.ptr, embeddings.ptr, embeddings.size);
    m.weight.requiresGrad = !freeze;
    return m;
  }

  /** N(0, 1) weights, the padding row zero. */
  resetParameters(): void {
    normal_(this.weight, 0, 1);
    if (this.paddingIdx !== null) {
      const d = this.embeddingDim;
      const ptr = this.weight.ptr + this.paddingIdx * d * 4;
      noGrad(() => getEngine("nn.Embedding").core.fill_f32(ptr, d, 0));
    }
  }

  /** Rows of the table at the indices in `input` (any shape): output [...input.shape, embeddingDim]. */
  forward(input: Tensor): Tensor {
    return embedding(input, this.weight, { paddingIdx: this.paddingIdx });
  }

  extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, padding_idx=${this.paddingIdx}` : ""}`;
  }
}
