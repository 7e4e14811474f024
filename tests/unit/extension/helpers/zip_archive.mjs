// Reads a zip archive (the store packages) the way a store does: from its central directory, each entry's
// bytes inflated from its local header. Stored and deflated entries only, which is what CMake writes.

import {readFileSync} from 'node:fs';
import {inflateRawSync} from 'node:zlib';

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;

function findEndOfCentralDirectory(bytes) {
  // The record is 22 bytes plus a comment of up to 65535 bytes at the end of the file.
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at -= 1) {
    if (bytes.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) return at;
  }
  throw new Error('not a zip archive: no end of central directory record');
}

/** Map of entry name -> Buffer of its contents, in the archive's order. */
export function readZip(path) {
  const bytes = readFileSync(path);
  const end = findEndOfCentralDirectory(bytes);
  const count = bytes.readUInt16LE(end + 10);
  let at = bytes.readUInt32LE(end + 16);
  const entries = new Map();
  for (let i = 0; i < count; i += 1) {
    if (bytes.readUInt32LE(at) !== CENTRAL_DIRECTORY_ENTRY) throw new Error(`${path}: bad central directory entry ${i}`);
    const method = bytes.readUInt16LE(at + 10);
    const compressedSize = bytes.readUInt32LE(at + 20);
    const size = bytes.readUInt32LE(at + 24);
    const nameLength = bytes.readUInt16LE(at + 28);
    const extraLength = bytes.readUInt16LE(at + 30);
    const commentLength = bytes.readUInt16LE(at + 32);
    const localHeader = bytes.readUInt32LE(at + 42);
    const name = bytes.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;

    if (bytes.readUInt32LE(localHeader) !== LOCAL_HEADER) throw new Error(`${path}: bad local header for ${name}`);
    const dataAt = localHeader + 30 + bytes.readUInt16LE(localHeader + 26) + bytes.readUInt16LE(localHeader + 28);
    const stored = bytes.subarray(dataAt, dataAt + compressedSize);
    let data;
    if (method === 0) data = Buffer.from(stored);
    else if (method === 8) data = inflateRawSync(stored);
    else throw new Error(`${path}: ${name} uses compression method ${method}`);
    if (data.length !== size) throw new Error(`${path}: ${name} is ${data.length} bytes, its header says ${size}`);
    if (entries.has(name)) throw new Error(`${path}: ${name} is in the archive twice`);
    entries.set(name, data);
  }
  return entries;
}
