import { isIP, isIPv4, isIPv6 } from 'node:net';

/**
 * protoc-gen-validate's `well_known_regex` patterns. Strict: RFC 7230 header names (HTTP/2 pseudo-headers
 * allowed) and field values without control characters except tab; non-strict: anything but NUL, CR
 * and LF. (The name pattern's `+-.` is a character range, exactly as upstream has it.)
 */
const HEADER_NAME = /^:?[0-9a-zA-Z!#$%&'*+-.^_|~`]+$/;
// eslint-disable-next-line no-control-regex -- these patterns exist to reject control characters
const HEADER_VALUE = /^[^\u0000-\u0008\u000A-\u001F\u007F]*$/;
// eslint-disable-next-line no-control-regex -- these patterns exist to reject control characters
const HEADER_STRING = /^[^\u0000\u000A\u000D]*$/;

export function headerRegex(kind: 'HTTP_HEADER_NAME' | 'HTTP_HEADER_VALUE', strict: boolean): RegExp {
  if (!strict) return HEADER_STRING;
  return kind === 'HTTP_HEADER_NAME' ? HEADER_NAME : HEADER_VALUE;
}

const HOSTNAME_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, at most 253 characters. */
export function isHostname(value: string): boolean {
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  return (
    name.length > 0 && name.length <= 253 && name.split('.').every((label) => HOSTNAME_LABEL.test(label))
  );
}

export function isEmail(value: string): boolean {
  const at = value.lastIndexOf('@');
  return (
    at > 0 && value.length <= 254 && !/[\s<>]/.test(value.slice(0, at)) && isHostname(value.slice(at + 1))
  );
}

/** The string well-known formats: each name is a member of StringRules' `well_known` oneof. */
export const STRING_FORMATS: Readonly<Record<string, { test: (value: string) => boolean; message: string }>> =
  {
    email: { test: isEmail, message: 'value must be a valid email address' },
    hostname: { test: isHostname, message: 'value must be a valid hostname' },
    ip: { test: (value) => isIP(value) !== 0, message: 'value must be a valid IP address' },
    ipv4: { test: isIPv4, message: 'value must be a valid IPv4 address' },
    ipv6: { test: isIPv6, message: 'value must be a valid IPv6 address' },
    uri: { test: (value) => URL.canParse(value), message: 'value must be a valid URI' },
    uri_ref: {
      test: (value) => URL.canParse(value, 'http://reference.invalid/'),
      message: 'value must be a valid URI reference',
    },
    address: {
      test: (value) => isIP(value) !== 0 || isHostname(value),
      message: 'value must be a valid hostname, or ip address',
    },
    uuid: { test: (value) => UUID.test(value), message: 'value must be a valid UUID' },
  };
