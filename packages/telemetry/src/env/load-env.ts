import type { z } from 'zod';

/** Thrown when the environment does not satisfy an app's schema; `problems` holds one line per variable. */
export class EnvError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid environment:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'EnvError';
  }
}

/**
 * Validates the variables a schema names and returns them typed. The only place that reads `process.env`.
 * An empty variable counts as unset, so that `FOO=` falls back to the default. Every missing or wrong variable
 * is reported at once, as `NAME: required (<its description>)` or `NAME: <what was expected>, got "<value>"`.
 */
export function loadEnv<Schema extends z.ZodObject>(
  schema: Schema,
  source: NodeJS.ProcessEnv = process.env,
): z.output<Schema> {
  const names = Object.keys(schema.shape);
  const values = Object.fromEntries(
    names.map((name) => [name, source[name] === '' ? undefined : source[name]]),
  );
  const result = schema.safeParse(values);
  if (result.success) return result.data;

  const problems = new Map<string, string>();
  for (const issue of result.error.issues) {
    const name = String(issue.path[0] ?? '');
    if (problems.has(name)) continue;
    problems.set(name, describeProblem(schema.shape, name, values[name], issue));
  }
  throw new EnvError([...problems.values()]);
}

function describeProblem(
  shape: Readonly<Record<string, z.ZodType>>,
  name: string,
  value: string | undefined,
  issue: z.core.$ZodIssue,
): string {
  const subject = name === '' ? 'environment' : name;
  if (issue.code === 'custom') return `${subject}: ${issue.message}`;
  if (value === undefined) {
    const description = shape[name]?.description;
    return description === undefined ? `${subject}: required` : `${subject}: required (${description})`;
  }
  return `${subject}: ${issue.message}, got ${JSON.stringify(hidePassword(value))}`;
}

/** Error messages end up in logs: never repeat the password of a URL such as `postgres://user:secret@host`. */
function hidePassword(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}
