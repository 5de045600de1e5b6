/** The parts of a V8 `.cpuprofile` (Chrome DevTools format) a summary reads. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: {
      readonly functionName: string;
      readonly url: string;
      readonly lineNumber: number;
    };
    readonly children?: readonly number[];
  }[];
  readonly samples?: readonly number[];
  /** Microseconds since the previous sample, one per sample. */
  readonly timeDeltas?: readonly number[];
}

export interface FunctionCost {
  /** `function file:line`, with paths shortened to the workspace or the package. */
  readonly frame: string;
  readonly ms: number;
  /** Share of the profile's sampled time, in percent. */
  readonly percent: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Time in the function itself, most first. */
  readonly self: readonly FunctionCost[];
  /** Time in the function and what it called (each frame counted once per sample), most first. */
  readonly inclusive: readonly FunctionCost[];
}

function frameOf(callFrame: CpuProfile['nodes'][number]['callFrame']): string {
  const where = callFrame.url.replace(/^.*node_modules\//, '').replace(/^.*\/(apps|packages|bench)\//, '$1/');
  return `${callFrame.functionName || '(anonymous)'} ${where}:${callFrame.lineNumber + 1}`;
}

/** Sampled time per function, by itself and with its callees, the `top` largest of each. */
export function summarizeProfile(profile: CpuProfile, top: number): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const sampled = new Map<number, number>();
  const deltas = profile.timeDeltas ?? [];
  (profile.samples ?? []).forEach((id, index) => {
    sampled.set(id, (sampled.get(id) ?? 0) + (deltas[index] ?? 0));
  });
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (const [id, micros] of sampled) {
    total += micros;
    const leaf = byId.get(id);
    if (leaf !== undefined)
      self.set(frameOf(leaf.callFrame), (self.get(frameOf(leaf.callFrame)) ?? 0) + micros);
    const seen = new Set<string>();
    for (let node = leaf; node !== undefined; node = byId.get(parentOf.get(node.id) ?? -1)) {
      const frame = frameOf(node.callFrame);
      if (seen.has(frame)) continue;
      seen.add(frame);
      inclusive.set(frame, (inclusive.get(frame) ?? 0) + micros);
    }
  }
  const ranked = (costs: Map<string, number>): FunctionCost[] =>
    [...costs]
      .sort(([frameA, a], [frameB, b]) => b - a || frameA.localeCompare(frameB))
      .slice(0, top)
      .map(([frame, micros]) => ({
        frame,
        ms: Math.round(micros / 100) / 10,
        percent: total === 0 ? 0 : Math.round((1000 * micros) / total) / 10,
      }));
  return { totalMs: Math.round(total / 1000), self: ranked(self), inclusive: ranked(inclusive) };
}
