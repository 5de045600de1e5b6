import { type DiscoveryRequest, Node, ResourceLocator, Status } from '@envoy-fleet/proto/xds';

/** Field numbers of envoy.service.discovery.v3.DiscoveryRequest. */
const FIELD = {
  versionInfo: 1,
  node: 2,
  resourceNames: 3,
  typeUrl: 4,
  responseNonce: 5,
  errorDetail: 6,
  resourceLocators: 7,
} as const;
const LENGTH_DELIMITED = 2;

/** A node's bytes, encoded once per node object: a simulated Envoy sends its node with every request. */
const encodedNodes = new WeakMap<Node, Uint8Array>();

function nodeBytes(node: Node): Uint8Array {
  let bytes = encodedNodes.get(node);
  if (bytes === undefined) {
    bytes = Node.encode(node).finish();
    encodedNodes.set(node, bytes);
  }
  return bytes;
}

function varintSize(value: number): number {
  let size = 1;
  for (let rest = value; rest > 0x7f; rest >>>= 7) size += 1;
  return size;
}

/**
 * A serialized DiscoveryRequest, written into one buffer sized up front. The generated encoder grows its
 * buffer field by field and encodes the node again for every request, which made the fleet of simulated
 * Envoys, not the server, the bottleneck of the xds benchmark. Fields are written in field-number order,
 * proto3 defaults left out, as the generated encoder does.
 */
export function encodeDiscoveryRequest(request: DiscoveryRequest): Buffer {
  const fields: [number, Uint8Array | string][] = [];
  if (request.versionInfo !== '') fields.push([FIELD.versionInfo, request.versionInfo]);
  if (request.node !== undefined) fields.push([FIELD.node, nodeBytes(request.node)]);
  for (const name of request.resourceNames) fields.push([FIELD.resourceNames, name]);
  if (request.typeUrl !== '') fields.push([FIELD.typeUrl, request.typeUrl]);
  if (request.responseNonce !== '') fields.push([FIELD.responseNonce, request.responseNonce]);
  if (request.errorDetail !== undefined)
    fields.push([FIELD.errorDetail, Status.encode(request.errorDetail).finish()]);
  for (const locator of request.resourceLocators)
    fields.push([FIELD.resourceLocators, ResourceLocator.encode(locator).finish()]);

  let size = 0;
  for (const [number, value] of fields) {
    const length = typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.byteLength;
    size += varintSize((number << 3) | LENGTH_DELIMITED) + varintSize(length) + length;
  }
  const out = Buffer.allocUnsafe(size);
  let offset = 0;
  const writeVarint = (value: number) => {
    let rest = value;
    while (rest > 0x7f) {
      out[offset++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    out[offset++] = rest;
  };
  for (const [number, value] of fields) {
    writeVarint((number << 3) | LENGTH_DELIMITED);
    if (typeof value === 'string') {
      writeVarint(Buffer.byteLength(value, 'utf8'));
      offset += out.write(value, offset, 'utf8');
    } else {
      writeVarint(value.byteLength);
      out.set(value, offset);
      offset += value.byteLength;
    }
  }
  return out;
}
