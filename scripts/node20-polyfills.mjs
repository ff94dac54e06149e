// vitest 5 targets Node >= 22 and calls Map.groupBy / Object.groupBy when it prints failures;
// Node 20 lacks them. Loaded with `node --import` by scripts/test.mjs (test tooling only).
if (typeof Map.groupBy !== "function") {
  Map.groupBy = (items, key) => {
    const map = new Map();
    let i = 0;
    for (const item of items) {
      const k = key(item, i++);
      if (!map.has(k)) map.set(k, []);
      map.get(k).push(item);
    }
    return map;
  };
}
if (typeof Object.groupBy !== "function") {
  Object.groupBy = (items, key) => Object.fromEntries(Map.groupBy(items, key));
}
