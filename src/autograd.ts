// Reverse-mode automatic differentiation: each op records a node on its output with the
// inputs and a backward function; backward() walks the graph in reverse topological
// order with an explicit stack (deep graphs such as long RNN unrolls cannot overflow the
// JS call stack).
import type { Tensor } from "./tensor";
import { getEngine } from "./engine";

export interface Node {
  op: string;
  inputs: Tensor[];
  /** Gradients for each input given the output's gradient (null where none flows). */
  backward: ((grad: Tensor) => (Tensor | null)[]) | null;
  /** Tensors the op created only for backward; freed with the node. */
  saved: Tensor[];
}

let disabled = 0;

export function isGradEnabled(): boolean {
  return disabled === 0;
}

/** Run `fn` without recording any graph (inference, optimizer updates). Restored even if fn throws. */
export function noGrad<T>(fn: () => T): T {
  disabled++;
  try {
    return fn();
  } finally {
    disabled--;
  }
}

/**
 * Record `op` on `out` when grad mode is on and any input requires grad.
 * Returns `out`; when nothing is recorded the saved tensors are freed at once.
 */
export function record(
  out: Tensor,
  op: string,
  inputs: Tensor[],
  backward: (grad: Tensor) => (Tensor | null)[],
  saved: Tensor[] = [],
): Tensor {
  if (disabled === 0 && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.node = { op, inputs, backward, saved };
    const e = getEngine(op);
    for (const s of saved) e.untrack(s); // owned by the node, not by a scope
  } else {
    for (const s of saved) s.dispose();
  }
  return out;
}

/** Free a node's saved tensors and closure (after backward, or when its output is disposed). */
export function releaseNode(node: Node): void {
  for (const s of node.saved) s.dispose();
  node.saved = [];
  node.backward = null;
  node.inputs = []; // the graph behind a released node no longer needs to stay alive
}

/** Tensors reachable from root through recorded nodes, in topological order (inputs first). */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>([root]);
  const stack: [Tensor, number][] = [[root, 0]];
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const inputs = t.node ? t.node.inputs : [];
    if (i < inputs.length) {
      top[1] = i + 1;
      const child = inputs[i];
      if (child.requiresGrad && !seen.has(child)) {
        seen.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}

export interface BackwardOptions {
  /** Keep the graph so backward can run through it again. */
  retainGraph?: boolean;
}

/**
 * Accumulate d(root)/d(leaf) into every leaf's `.grad`. `gradient` seeds the walk; it is
 * required for non-scalar roots, as in PyTorch.
 */
export function runBackward(root: Tensor, gradient: Tensor | undefined, options: BackwardOptions, makeSeed: () => Tensor): void {
  if (!root.requiresGrad) {
    throw new Error(`backward: the tensor of shape [${root.shape.join(", ")}] does not require grad and has no graph`);
  }
  if (root.node && root.node.backward === null) {
    throw new Error(
      `backward: trying to backward through the graph a second time (its saved tensors were freed); pass { retainGraph: true } to the first call`,
    );
  }
  if (gradient === undefined && root.size !== 1) {
    throw new Error(`backward: a gradient can be created implicitly only for scalar outputs, got shape [${root.shape.join(", ")}]`);
  }
  if (gradient !== undefined && gradient.shape.join() !== root.shape.join()) {
    throw new RangeError(
      `backward: gradient shape [${gradient.shape.join(", ")}] does not match the output shape [${root.shape.join(", ")}]`,
    );
  }
  const engine = getEngine("backward");
  const order = topoOrder(root);
  const grads = new Map<Tensor, Tensor>();
  // Nodes are released once the whole walk is done: a node may own (as saved) tensors that
  // nodes later in the walk still need.
  const consumedNodes: Node[] = [];
  disabled++;
  engine.scopes.push(new Set()); // temporaries of backward functions die with this scope
  try {
    grads.set(root, gradient !== undefined ? gradient.clone() : makeSeed());
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      const node = t.node;
      if (!node) {
        accumulateLeaf(engine, t, g);
        continue;
      }
      if (!node.backward) throw new Error(`backward: the graph through '${node.op}' was already freed`);
      const inputGrads = node.backward(g);
      let consumed = false;
      for (let k = 0; k < node.inputs.length; k++) {
        const input = node.inputs[k];
        let gi = inputGrads[k];
        if (!gi || !input.requiresGrad) continue;
        if (gi.shape.join() !== input.shape.join()) {
          throw new Error(
            `backward: '${node.op}' produced a gradient of shape [${gi.shape.join(", ")}] for an input of shape [${input.shape.join(", ")}]`,
          );
        }
        if (gi === g) {
          if (consumed) gi = g.clone();
          consumed = true;
        }
        const prev = grads.get(input);
        if (prev) {
          engine.core.axpy_f32(prev.ptr, gi.ptr, gi.size, 1);
          if (gi !== g) gi.dispose();
        } else {
          grads.set(input, gi);
        }
      }
      if (!consumed) g.dispose();
      if (!options.retainGraph) consumedNodes.push(node);
    }
  } finally {
    for (const node of consumedNodes) releaseNode(node);
    for (const g of grads.values()) g.dispose();
    const temps = engine.scopes.pop()!;
    for (const tmp of temps) tmp.dispose();
    disabled--;
  }
}

function accumulateLeaf(engine: ReturnType<typeof getEngine>, leaf: Tensor, g: Tensor): void {
  if (leaf.grad && !leaf.grad.isDisposed) {
    engine.core.axpy_f32(leaf.grad.ptr, g.ptr, g.size, 1);
    g.dispose();
  } else {
    engine.untrack(g);
    leaf.grad = g;
  }
}
