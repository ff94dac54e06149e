// A one-line terminal progress bar per epoch: bar, loss, accuracy, samples/s.

export function progressBar({ epochs, samplesPerEpoch, stream = process.stdout }) {
  const isTTY = !!stream.isTTY;
  let start = 0;
  let lastDraw = 0;
  let epochIndex = 0;
  const width = 24;
  const fmtRate = (r) => `${Math.round(r).toLocaleString("en-US")} samples/s`;
  const line = (done, logs, final) => {
    const frac = Math.min(1, done / samplesPerEpoch);
    const full = Math.round(frac * width);
    const bar = "█".repeat(full) + "░".repeat(width - full);
    const secs = (performance.now() - start) / 1000;
    const parts = [
      `epoch ${String(epochIndex + 1).padStart(String(epochs).length)}/${epochs}`,
      `${bar} ${String(Math.round(frac * 100)).padStart(3)}%`,
      `loss ${logs.loss?.toFixed(4) ?? "-"}`,
    ];
    if (logs.accuracy !== undefined) parts.push(`acc ${(logs.accuracy * 100).toFixed(1)}%`);
    if (final && logs.val_loss !== undefined) parts.push(`val_loss ${logs.val_loss.toFixed(4)}`);
    if (final && logs.val_accuracy !== undefined) parts.push(`val_acc ${(logs.val_accuracy * 100).toFixed(1)}%`);
    parts.push(fmtRate(done / Math.max(secs, 1e-9)));
    return parts.join("  ");
  };
  let seen = 0;
  return {
    onEpochBegin(epoch) {
      epochIndex = epoch;
      start = performance.now();
      seen = 0;
    },
    onBatchEnd(_batch, logs) {
      seen += logs.size ?? logs.batchSize ?? 0;
      const now = performance.now();
      if (isTTY && now - lastDraw > 100) {
        lastDraw = now;
        stream.write(`\r${line(seen, logs, false)}`);
      }
    },
    onEpochEnd(_epoch, logs) {
      stream.write(`${isTTY ? "\r" : ""}${line(samplesPerEpoch, logs, true)}\n`);
    },
  };
}
