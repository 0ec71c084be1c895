/**
 * Tiny archive writers for tests: tar (ustar, optionally gzipped) and zip (stored or deflate),
 * byte-exact, with whatever entry names a test needs — including the hostile ones ('../x',
 * absolute paths, symlinks) that real tools refuse to write.
 */
import { deflateRawSync, gzipSync } from 'node:zlib';

export interface ArchiveEntry {
  name: string;
  data?: Uint8Array;
  type?: 'file' | 'dir' | 'symlink';
  /** symlink target */
  link?: string;
}

function tarHeader(name: string, size: number, type: string, link = ''): Buffer {
  const h = Buffer.alloc(512);
  h.write(name.slice(0, 100), 0, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write(type, 156, 'latin1');
  h.write(link.slice(0, 100), 157, 'utf8');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

export function tarArchive(entries: ArchiveEntry[], options: { gzip?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? new Uint8Array(0));
    if (Buffer.byteLength(e.name) > 100) {
      parts.push(
        tarHeader('././@LongLink', Buffer.byteLength(e.name) + 1, 'L'),
        Buffer.concat([Buffer.from(`${e.name}\0`), Buffer.alloc((512 - ((Buffer.byteLength(e.name) + 1) % 512)) % 512)]),
      );
    }
    const type = e.type === 'dir' ? '5' : e.type === 'symlink' ? '2' : '0';
    parts.push(tarHeader(e.name, e.type === 'file' || e.type === undefined ? data.length : 0, type, e.link));
    if (type === '0') parts.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  const tar = Buffer.concat(parts);
  return options.gzip === false ? tar : gzipSync(tar);
}

const CRC = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
const crc32 = (b: Uint8Array): number => {
  let c = 0xffffffff;
  for (const x of b) c = CRC[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

/** A zip; `declaredSize` lies about an entry's uncompressed size (zip-bomb headers). */
export function zipArchive(entries: Array<ArchiveEntry & { declaredSize?: number; store?: boolean }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const data = Buffer.from(e.type === 'symlink' ? Buffer.from(e.link ?? '') : (e.data ?? new Uint8Array(0)));
    const method = e.store || e.type === 'symlink' || e.type === 'dir' ? 0 : 8;
    const body = method === 8 ? deflateRawSync(data) : data;
    const size = e.declaredSize ?? data.length;
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    const mode = e.type === 'symlink' ? 0o120777 : e.type === 'dir' ? 0o040755 : 0o100644;
    central.writeUInt32LE((mode << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
