/**
 * The samples of a Prometheus text exposition whose metric name matches `pattern`, with their `# HELP`
 * and `# TYPE` lines; other comments and blank lines go.
 */
export function filterPrometheusText(text: string, pattern: RegExp): string {
  const kept = text.split('\n').filter((line) => {
    const name = line.startsWith('#') ? /^# (?:HELP|TYPE) (\S+)/.exec(line)?.[1] : /^[^\s{]+/.exec(line)?.[0];
    return name !== undefined && pattern.test(name);
  });
  return kept.length === 0 ? '' : `${kept.join('\n')}\n`;
}
