// The default initialization torch gives Linear and the convolutions (their reset_parameters).
import type { Tensor } from "../tensor";
import { kaimingUniform_, uniform_, calculateFanInAndFanOut } from "../init";

/** kaiming-uniform with a = sqrt(5) for the weight (bound 1/sqrt(fan_in)), U(±1/sqrt(fan_in)) for the bias. */
export function resetWeightAndBias(weight: Tensor, bias: Tensor | null): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias) {
    const { fanIn } = calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound);
  }
}
