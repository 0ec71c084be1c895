/**
 * zip (stored and deflate; no zip64, no encryption), read through its central directory: each
 * entry goes to the ArchiveWriter first, and only admitted files are read and inflated.
 */
import { open } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import { archiveInvalid, type ArchiveEntry, type ArchiveLimits, type ArchiveWriter } from './archive-entry-policy.js';

export async function readZip(file: string, writer: ArchiveWriter, limits: ArchiveLimits): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const tailLength = Math.min(size, 65_557);
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    let eocd = -1;
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd === -1) throw archiveInvalid('not a zip archive (no end of central directory)');
    const count = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    if (count === 0xffff || cdOffset === 0xffffffff) throw archiveInvalid('zip64 archives are not supported');
    if (count > limits.maxEntries) throw archiveInvalid(`archive has more than ${limits.maxEntries} entries`);
    if (cdOffset + cdSize > size) throw archiveInvalid('zip central directory lies outside the file');
    const cd = Buffer.alloc(cdSize);
    await handle.read(cd, 0, cdSize, cdOffset);
    let at = 0;
    for (let n = 0; n < count; n++) {
      if (at + 46 > cd.length || cd.readUInt32LE(at) !== 0x02014b50) throw archiveInvalid('zip central directory is malformed');
      const flags = cd.readUInt16LE(at + 8);
      const method = cd.readUInt16LE(at + 10);
      const compressed = cd.readUInt32LE(at + 20);
      const uncompressed = cd.readUInt32LE(at + 24);
      const nameLength = cd.readUInt16LE(at + 28);
      const extraLength = cd.readUInt16LE(at + 30);
      const commentLength = cd.readUInt16LE(at + 32);
      const madeBy = cd.readUInt16LE(at + 4) >> 8;
      const external = cd.readUInt32LE(at + 38);
      const localOffset = cd.readUInt32LE(at + 42);
      const name = cd.subarray(at + 46, at + 46 + nameLength).toString('utf8');
      at += 46 + nameLength + extraLength + commentLength;
      if (compressed === 0xffffffff || uncompressed === 0xffffffff || localOffset === 0xffffffff) throw archiveInvalid('zip64 archives are not supported');
      const unixMode = madeBy === 3 ? external >>> 16 : 0;
      const isLink = (unixMode & 0o170000) === 0o120000;
      const isDir = name.endsWith('/') || (unixMode & 0o170000) === 0o040000;
      const kind: ArchiveEntry['kind'] = isLink ? 'link' : isDir ? 'directory' : 'file';
      const target = writer.admit({ name, kind, size: uncompressed });
      if (!target) continue;
      writer.expand(uncompressed);
      if (flags & 1) {
        writer.skipped.push({ path: name, reason: 'encrypted' });
        continue;
      }
      if (method !== 0 && method !== 8) {
        writer.skipped.push({ path: name, reason: `unsupported compression method ${method}` });
        continue;
      }
      const local = Buffer.alloc(30);
      await handle.read(local, 0, 30, localOffset);
      if (local.readUInt32LE(0) !== 0x04034b50) throw archiveInvalid(`zip entry "${name.slice(0, 200)}" has no local header`);
      const dataStart = localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      if (dataStart + compressed > size) throw archiveInvalid(`zip entry "${name.slice(0, 200)}" lies outside the file`);
      const raw = Buffer.alloc(compressed);
      await handle.read(raw, 0, compressed, dataStart);
      let data: Uint8Array;
      try {
        // The output cap holds whatever the header claims (a zip bomb's declared size lies).
        data = method === 0 ? raw : inflateRawSync(raw, { maxOutputLength: Math.max(1, Math.min(uncompressed, limits.maxFileBytes)) });
      } catch (error) {
        throw archiveInvalid(`zip entry "${name.slice(0, 200)}" does not inflate to its declared size: ${(error as Error).message}`);
      }
      if (data.byteLength !== uncompressed)
        throw archiveInvalid(`zip entry "${name.slice(0, 200)}" is ${data.byteLength} bytes, its header says ${uncompressed}`);
      await writer.write(target, data);
    }
  } finally {
    await handle.close();
  }
}
