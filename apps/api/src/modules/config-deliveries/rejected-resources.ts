import { type ConfigDocument, type XdsResourceType } from '@envoy-fleet/domain';

/**
 * The resources of a version that a NACK blames: those of the NACKed type whose name Envoy's message
 * mentions. Envoy names what it rejects ("Error adding/updating listener(s) ingress: ...", "cluster
 * 'backend': ..."), but a NACK itself carries only the type; a name that is a prefix of another
 * mentioned name ("web" in "web.v2") is left out in favour of the longer one.
 */
export function rejectedResources(
  document: ConfigDocument,
  type: XdsResourceType,
  message: string,
): string[] {
  const mentioned = document.resources[type]
    .map((resource) => resource.name)
    .filter((name) => mentions(message, name));
  return mentioned
    .filter((name) => !mentioned.some((other) => other !== name && other.includes(name)))
    .sort();
}

/** Whether `name` occurs in `message` as a whole token: not inside a longer run of name characters. */
function mentions(message: string, name: string): boolean {
  for (let at = message.indexOf(name); at !== -1; at = message.indexOf(name, at + 1)) {
    const before = message[at - 1];
    const after = message[at + name.length];
    if (!isNameCharacter(before) && !isNameCharacter(after)) return true;
  }
  return false;
}

function isNameCharacter(character: string | undefined): boolean {
  return character !== undefined && /[A-Za-z0-9_-]/.test(character);
}
