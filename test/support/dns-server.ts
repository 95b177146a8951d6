import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';

/**
 * A real DNS server over UDP on 127.0.0.1, for tests and benches that point the prober's resolver
 * at it (`dnsServers`). It reads the first question of a query (RFC 1035 §4.1) and answers as
 * `zone` says: addresses (A or AAAA records with a TTL), records of another type by their RDATA
 * (MX, TXT, CNAME: mxData, txtData, nameData), an error code, or nothing at all (a server that
 * never answers, as a broken or overloaded resolver does). Queries are counted, so a test can tell
 * a cached answer from a fresh one.
 */

export const QTYPE_A = 1;
export const QTYPE_AAAA = 28;
export const QTYPE_CNAME = 5;
export const QTYPE_MX = 15;
export const QTYPE_TXT = 16;

export type DnsReply =
  /** Records of the asked type (none: NOERROR with an empty answer, "no data"). */
  | { addresses: string[]; ttl?: number }
  /** Records of the asked type by their RDATA, for other types than A and AAAA (see mxData, txtData, nameData). */
  | { rdata: Buffer[]; ttl?: number }
  | { rcode: 'SERVFAIL' | 'NXDOMAIN' | 'REFUSED' }
  | 'no-answer';

export interface DnsQuestion {
  /** Lower case, without the trailing dot. */
  name: string;
  type: number;
}

export type DnsZone = (question: DnsQuestion) => DnsReply;

export interface RunningDnsServer {
  /** `127.0.0.1:<port>`, as `dnsServers` takes it. */
  address: string;
  /** Every question received, in order. */
  queries: DnsQuestion[];
  /** The address each query came from, in the same order. */
  senders: string[];
  close(): Promise<void>;
}

const RCODES = { SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

/**
 * The names the prober's tests use: `ok-N.test` and `localhost-name.test` are 127.0.0.1 (TTL 60 s),
 * `hang-N.test` never answers, `private-N.test` is 10.0.0.N, `metadata.test` 169.254.169.254,
 * `v6only.test` has only an AAAA record (::1), `ttl1.test` is 127.0.0.1 for one second,
 * `servfail.test` and `refused.test` answer those errors, and every other name does not exist.
 */
export const TEST_ZONE: DnsZone = ({ name, type }) => {
  const [label = '', ...rest] = name.split('.');
  if (rest.join('.') !== 'test') return { rcode: 'NXDOMAIN' };
  const v4 = (addresses: string[], ttl = 60): DnsReply => ({ addresses: type === QTYPE_A ? addresses : [], ttl });
  if (/^ok-\d+$/.test(label) || label === 'localhost-name') return v4(['127.0.0.1']);
  if (/^hang-\d+$/.test(label)) return 'no-answer';
  const privateMatch = /^private-(\d{1,3})$/.exec(label);
  if (privateMatch) return v4([`10.0.0.${privateMatch[1] as string}`]);
  if (label === 'metadata') return v4(['169.254.169.254']);
  if (label === 'ttl1') return v4(['127.0.0.1'], 1);
  if (label === 'v6only') return { addresses: type === QTYPE_AAAA ? ['::1'] : [], ttl: 60 };
  if (label === 'servfail') return { rcode: 'SERVFAIL' };
  if (label === 'refused') return { rcode: 'REFUSED' };
  return { rcode: 'NXDOMAIN' };
};

/** Starts a DNS server on a free UDP port of 127.0.0.1. */
export async function startDnsServer(zone: DnsZone = TEST_ZONE): Promise<RunningDnsServer> {
  const socket: Socket = createSocket('udp4');
  const queries: DnsQuestion[] = [];
  const senders: string[] = [];
  socket.on('message', (message: Buffer, peer: RemoteInfo) => {
    const parsed = parseQuery(message);
    if (parsed === undefined) return;
    queries.push(parsed.question);
    senders.push(peer.address);
    const reply = zone(parsed.question);
    if (reply === 'no-answer') return;
    socket.send(encodeReply(message, parsed.questionEnd, parsed.question.type, reply), peer.port, peer.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return {
    address: `127.0.0.1:${socket.address().port}`,
    queries,
    senders,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** The first question of a standard query, and where it ends; undefined for anything else. */
function parseQuery(message: Buffer): { question: DnsQuestion; questionEnd: number } | undefined {
  if (message.length < 12 || (message[2] as number) & 0x80 || message.readUInt16BE(4) < 1) return undefined;
  const labels: string[] = [];
  let offset = 12;
  for (;;) {
    const length = message[offset];
    if (length === undefined || length > 63) return undefined;
    offset += 1;
    if (length === 0) break;
    labels.push(message.toString('latin1', offset, offset + length).toLowerCase());
    offset += length;
  }
  if (offset + 4 > message.length) return undefined;
  return { question: { name: labels.join('.'), type: message.readUInt16BE(offset) }, questionEnd: offset + 4 };
}

/** The reply: the query's id and question, then one record per address (the name as a pointer to the question's). */
function encodeReply(query: Buffer, questionEnd: number, type: number, reply: Exclude<DnsReply, 'no-answer'>): Buffer {
  const records = 'addresses' in reply ? reply.addresses.map(addressBytes) : 'rdata' in reply ? reply.rdata : [];
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  // QR=1, the query's RD bit, RA=1, and the response code.
  const rcode = 'rcode' in reply ? RCODES[reply.rcode] : 0;
  header.writeUInt16BE(0x8000 | (query.readUInt16BE(2) & 0x0100) | 0x0080 | rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  const answers = records.map((rdata) => {
    const record = Buffer.alloc(12 + rdata.length);
    record.writeUInt16BE(0xc00c, 0);
    record.writeUInt16BE(type, 2);
    record.writeUInt16BE(1, 4);
    record.writeUInt32BE('ttl' in reply ? (reply.ttl ?? 60) : 60, 6);
    record.writeUInt16BE(rdata.length, 10);
    rdata.copy(record, 12);
    return record;
  });
  return Buffer.concat([header, query.subarray(12, questionEnd), ...answers]);
}

/** A domain name in wire form (RFC 1035 §3.1), uncompressed: the RDATA of CNAME, NS and PTR records. */
export function nameData(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter((label) => label !== '');
  return Buffer.concat([...labels.map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'latin1')])), Buffer.from([0])]);
}

/** An MX record's RDATA: the preference, then the exchange. */
export function mxData(preference: number, exchange: string): Buffer {
  const head = Buffer.alloc(2);
  head.writeUInt16BE(preference, 0);
  return Buffer.concat([head, nameData(exchange)]);
}

/** A TXT record's RDATA: each string (at most 255 bytes) with its length. */
export function txtData(...strings: string[]): Buffer {
  return Buffer.concat(strings.map((text) => Buffer.concat([Buffer.from([Buffer.byteLength(text)]), Buffer.from(text)])));
}

/** The 4 or 16 bytes of an address (IPv6 in any form with `::`, no embedded IPv4). */
function addressBytes(address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  if (!isIPv6(address)) throw new Error(`not an IP address: ${address}`);
  const [head = '', tail] = address.split('::');
  const groups = (text: string) => (text === '' ? [] : text.split(':').map((group) => parseInt(group, 16)));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = Buffer.alloc(16);
  all.forEach((group, index) => bytes.writeUInt16BE(group, index * 2));
  return bytes;
}
