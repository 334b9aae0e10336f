/**
 * Client address allow-list (contract feature, not part of the real host): IPv4/IPv6 CIDRs or single
 * addresses. Runs before anything else in the HTTP pipeline.
 */
import { BlockList, isIP } from 'node:net';

export interface AllowList {
  allows(remoteAddress: string | undefined): boolean;
  readonly entries: string[];
  /** An entry with prefix length 0 (`0.0.0.0/0`, `::/0`): every IPv4 or IPv6 address passes. */
  readonly admitsEveryone: boolean;
}

export const LOOPBACK_ONLY = '127.0.0.0/8,::1/128';

const PREFIX_LENGTH = /^\d{1,3}$/;
const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

type Family = 'ipv4' | 'ipv6';

function familyOf(address: string): Family | undefined {
  const version = isIP(address);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
}

/** dual-stack sockets report IPv4 clients as `::ffff:a.b.c.d`: check those as IPv4; drop any zone id */
function normaliseAddress(address: string): { address: string; family: Family } | undefined {
  const withoutZone = address.trim().replace(/%.*$/, '');
  const mapped = MAPPED_IPV4.exec(withoutZone);
  const candidate = mapped?.[1] ?? withoutZone;
  const family = familyOf(candidate);
  return family ? { address: candidate, family } : undefined;
}

function addEntry(list: BlockList, entry: string): void {
  const slash = entry.indexOf('/');
  const address = slash < 0 ? entry : entry.slice(0, slash);
  const family = familyOf(address);
  if (!family) throw new Error(`allow-list entry "${entry}" is not an IPv4/IPv6 address or CIDR`);
  if (slash < 0) {
    list.addAddress(address, family);
    return;
  }
  const prefixText = entry.slice(slash + 1);
  const maxPrefix = family === 'ipv4' ? 32 : 128;
  const prefix = Number(prefixText);
  if (!PREFIX_LENGTH.test(prefixText) || prefix > maxPrefix) {
    throw new Error(`allow-list entry "${entry}" has an invalid prefix length (0-${maxPrefix})`);
  }
  list.addSubnet(address, prefix, family);
}

/** "127.0.0.1/32,::1,10.0.0.0/8" — IPv4/IPv6 CIDRs or single addresses, comma-separated, whitespace tolerated.
 *  Throws Error naming the bad entry. */
export function parseAllowList(spec: string): AllowList {
  if (typeof spec !== 'string') throw new Error('allow-list must be a comma-separated string');
  const entries = spec
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  // an empty list would refuse every client: far more likely a mistake than intended
  if (entries.length === 0) throw new Error('allow-list is empty: give at least one address or CIDR');
  const list = new BlockList();
  for (const entry of entries) addEntry(list, entry);
  return {
    entries,
    admitsEveryone: entries.some((entry) => /\/0+$/.test(entry)),
    allows(remoteAddress) {
      if (typeof remoteAddress !== 'string') return false;
      const normalised = normaliseAddress(remoteAddress);
      if (!normalised) return false;
      try {
        return list.check(normalised.address, normalised.family);
      } catch {
        return false;
      }
    },
  };
}
