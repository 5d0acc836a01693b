/**
 * Security group rules as AWS stores them: protocol names, port ranges and canonical CIDRs, the identity
 * that makes a rule a duplicate, and the errors rule calls fail with.
 */
import { AwsError } from '../types';
import type { RuleSpec } from './records';

const ALL_PORTS = -1;

export function requireId(value: string | undefined, name: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new AwsError('MissingParameter', `The request must contain the parameter ${name}`);
  }
  return value;
}

export function ruleIdNotFound(id: string): AwsError {
  return new AwsError(
    'InvalidSecurityGroupRuleId.NotFound',
    `The security group rule ID '${id}' does not exist`,
  );
}

export function groupNameNotFound(name: string): AwsError {
  return new AwsError('InvalidGroup.NotFound', `The security group '${name}' does not exist`);
}

export function ruleKey(rule: RuleSpec): string {
  return `${rule.ipProtocol}|${rule.fromPort}|${rule.toPort}|${rule.peerKind}|${rule.peer}`;
}

const PROTOCOL_NAMES: Readonly<Record<string, string>> = {
  '6': 'tcp',
  '17': 'udp',
  '1': 'icmp',
  '58': 'icmpv6',
};

export function normalizeProtocol(protocol: string | undefined): string {
  if (protocol === undefined)
    throw new AwsError('MissingParameter', 'The request must contain the parameter ipProtocol');
  const lower = protocol.toLowerCase();
  if (lower === '-1' || lower === 'all') return '-1';
  if (['tcp', 'udp', 'icmp', 'icmpv6'].includes(lower)) return lower;
  if (/^\d+$/.test(lower) && Number(lower) <= 255) return PROTOCOL_NAMES[lower] ?? lower;
  throw new AwsError(
    'InvalidParameterValue',
    `Invalid value '${protocol}' for IP protocol. Unknown protocol.`,
  );
}

/** Ports as AWS stores them: required for TCP/UDP, type/code for ICMP, -1 for every other protocol. */
export function normalizePorts(
  protocol: string,
  from: number | undefined,
  to: number | undefined,
): [number, number] {
  if (protocol === 'tcp' || protocol === 'udp') {
    if (from === undefined || to === undefined) {
      throw new AwsError(
        'InvalidParameterValue',
        `Invalid value 'Must specify both from and to ports with TCP/UDP.'`,
      );
    }
    if (from < 0 || to > 65535 || from > to) {
      throw new AwsError('InvalidParameterValue', `Invalid port range ${from}-${to}`);
    }
    return [from, to];
  }
  if (protocol === 'icmp' || protocol === 'icmpv6') return [from ?? ALL_PORTS, to ?? ALL_PORTS];
  return [ALL_PORTS, ALL_PORTS];
}

export function canonicalCidr4(cidr: string | undefined): string {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr ?? '');
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const bits = Number(match?.[5]);
  if (!match || octets.some((octet) => octet > 255) || bits > 32) {
    throw new AwsError('InvalidParameterValue', `Value (${String(cidr)}) for parameter cidrIp is invalid.`);
  }
  const address = octets.reduce((acc, octet) => acc * 256 + octet, 0);
  // Arithmetic rather than bitwise masking: JavaScript bit operators are signed 32-bit.
  const network = address - (address % 2 ** (32 - bits));
  const parts = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256);
  return `${parts.join('.')}/${bits}`;
}

export function canonicalCidr6(cidr: string | undefined): string {
  if (cidr === undefined || !/^[0-9a-fA-F:]+\/\d{1,3}$/.test(cidr) || Number(cidr.split('/')[1]) > 128) {
    throw new AwsError('InvalidParameterValue', `Value (${String(cidr)}) for parameter cidrIpv6 is invalid.`);
  }
  return cidr.toLowerCase();
}
