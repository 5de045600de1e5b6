/** JSON paths in the form `filter_chains[0].filters[0].typed_config`, built one step at a time. */

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function fieldPath(parent: string, name: string): string {
  return parent ? `${parent}.${name}` : name;
}

export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

/** A map entry: `.key` when the key is an identifier, `["key"]` otherwise (e.g. `["envoy.filters.http.router"]`). */
export function keyPath(parent: string, key: string): string {
  return IDENTIFIER.test(key) ? fieldPath(parent, key) : `${parent}[${JSON.stringify(key)}]`;
}
