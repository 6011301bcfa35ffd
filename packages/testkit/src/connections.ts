/**
 * Established TCP connections of one process to one port, read from /proc (Linux): the process's
 * socket inodes, matched against the kernel's TCP tables. No `ss` or `lsof` needed.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';

const ESTABLISHED = '01';

async function socketInodes(pid: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  const dir = `/proc/${pid}/fd`;
  for (const fd of await readdir(dir)) {
    const target = await readlink(`${dir}/${fd}`).catch(() => '');
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match?.[1]) inodes.add(match[1]);
  }
  return inodes;
}

/** How many established connections process `pid` holds to `remotePort` (IPv4 and IPv6). */
export async function connectionsTo(pid: number, remotePort: number): Promise<number> {
  const inodes = await socketInodes(pid);
  const hexPort = remotePort.toString(16).toUpperCase().padStart(4, '0');
  let count = 0;
  for (const table of [`/proc/${pid}/net/tcp`, `/proc/${pid}/net/tcp6`]) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [remote, state, inode] = [fields[2], fields[3], fields[9]];
      if (!remote || !inode) continue;
      if (state === ESTABLISHED && remote.endsWith(`:${hexPort}`) && inodes.has(inode)) count++;
    }
  }
  return count;
}
