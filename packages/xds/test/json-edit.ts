type Step = string | number;

function container(root: unknown, path: readonly Step[]): Record<string | number, unknown> {
  let node = root;
  for (const step of path) {
    if (typeof node !== 'object' || node === null)
      throw new Error(`no ${String(step)} in ${JSON.stringify(path)}`);
    node = (node as Record<string | number, unknown>)[step];
  }
  if (typeof node !== 'object' || node === null) throw new Error(`nothing at ${JSON.stringify(path)}`);
  return node as Record<string | number, unknown>;
}

/** A copy of `json` with the value at `path` replaced (or added), leaving the fixture untouched. */
export function withValue(json: unknown, path: readonly Step[], value: unknown): unknown {
  const copy = structuredClone(json);
  container(copy, path.slice(0, -1))[path[path.length - 1]!] = value;
  return copy;
}

/** A copy of `json` without the key at `path`. */
export function without(json: unknown, path: readonly Step[]): unknown {
  const copy = structuredClone(json);
  delete container(copy, path.slice(0, -1))[path[path.length - 1]!];
  return copy;
}

/** The value at `path`. */
export function valueAt(json: unknown, path: readonly Step[]): unknown {
  return container({ root: json }, ['root', ...path.slice(0, -1)])[path[path.length - 1]!];
}
