/**
 * A control group per submission, when this machine lets the grader make one: a memory limit over
 * every process of the submission (the kernel, its runtime, TypeScript 7's child, anything the
 * code starts — heap, wasm memories and buffers alike) and a cap on their number, which stops a
 * fork flood at the cap instead of at the machine's. cgroup v2 where the grader's own cgroup is
 * writable (root, or a systemd-delegated scope), else cgroup v1's memory and pids hierarchies
 * (root). Without either, the sandbox goes on without it and says so (see sandbox.ts).
 */
import { promises as fs, existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = '/sys/fs/cgroup';

export interface CgroupLimits {
  memoryBytes: number;
  maxTasks: number;
}

export interface Cgroup {
  /** `cgroup.procs` files a process writes its pid to, to join (before it execs the sandbox). */
  procsFiles: string[];
  /** Kill whatever is still in it, then remove it. */
  remove(): Promise<void>;
}

/** Where new cgroups go and which version, or why there is none. */
export type CgroupSupport = { version: 2; parent: string } | { version: 1; memory: string; pids: string } | { version: 0; why: string };

let counter = 0;

/** Whether a cgroup can really be made (and given limits) under each of these folders. */
function canCreate(parents: [string, string][]): string | undefined {
  for (const [parent, limit] of parents) {
    const dir = path.join(parent, `tsdl-grade-probe-${process.pid}`);
    try {
      mkdirSync(dir);
      try {
        writeFileSync(path.join(dir, limit), limit.startsWith('pids') ? '64' : String(256 * 1024 * 1024));
      } finally {
        rmdirSync(dir);
      }
    } catch (e) {
      return `a cgroup cannot be made under ${parent} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): run the grader as root, or under \`systemd-run --user --scope -p Delegate=yes\``;
    }
  }
  return undefined;
}

export function cgroupSupport(): CgroupSupport {
  const support = findCgroups();
  if (support.version === 0) return support;
  const why = canCreate(support.version === 2 ? [[support.parent, 'memory.max'], [support.parent, 'pids.max']] : [[support.memory, 'memory.limit_in_bytes'], [support.pids, 'pids.max']]);
  return why === undefined ? support : { version: 0, why };
}

function findCgroups(): CgroupSupport {
  try {
    if (existsSync(path.join(ROOT, 'cgroup.controllers'))) {
      const own = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => l.startsWith('0::'))?.slice(3) ?? '/';
      const parent = path.join(ROOT, own);
      const controllers = readFileSync(path.join(parent, 'cgroup.subtree_control'), 'utf8');
      if (!/\bmemory\b/.test(controllers) || !/\bpids\b/.test(controllers)) {
        return { version: 0, why: `cgroup v2 delegates no memory and pids controllers to ${parent} (run the grader under \`systemd-run --user --scope -p Delegate=yes\`, or as root)` };
      }
      return { version: 2, parent };
    }
    const memory = path.join(ROOT, 'memory');
    const pids = path.join(ROOT, 'pids');
    if (existsSync(path.join(memory, 'cgroup.procs')) && existsSync(path.join(pids, 'cgroup.procs'))) return { version: 1, memory, pids };
    return { version: 0, why: 'no cgroup v2 or v1 memory and pids hierarchy is mounted under /sys/fs/cgroup' };
  } catch (e) {
    return { version: 0, why: `cgroups cannot be read here (${(e as Error).message})` };
  }
}

async function killAll(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pids = (await fs.readFile(path.join(dir, 'cgroup.procs'), 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch { /* gone already */ }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function removeDir(dir: string): Promise<void> {
  await killAll(dir);
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      await fs.rmdir(dir);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Make a cgroup with these limits; throws when the machine refuses (the caller goes on without). */
export async function createCgroup(support: CgroupSupport, limits: CgroupLimits): Promise<Cgroup | undefined> {
  const name = `tsdl-grade-${process.pid}-${++counter}`;
  if (support.version === 0) return undefined;
  if (support.version === 2) {
    const dir = path.join(support.parent, name);
    await fs.mkdir(dir);
    try {
      await fs.writeFile(path.join(dir, 'memory.max'), String(limits.memoryBytes));
      await fs.writeFile(path.join(dir, 'memory.swap.max'), '0').catch(() => undefined);
      await fs.writeFile(path.join(dir, 'pids.max'), String(limits.maxTasks));
    } catch (e) {
      await removeDir(dir);
      throw e;
    }
    return {
      procsFiles: [path.join(dir, 'cgroup.procs')],
      async remove() {
        // cgroup.kill (Linux 5.14+) ends everything at once; the loop covers older kernels.
        await fs.writeFile(path.join(dir, 'cgroup.kill'), '1').catch(() => undefined);
        await removeDir(dir);
      },
    };
  }
  const mem = path.join(support.memory, name);
  const pids = path.join(support.pids, name);
  await fs.mkdir(mem);
  try {
    await fs.mkdir(pids);
    await fs.writeFile(path.join(mem, 'memory.limit_in_bytes'), String(limits.memoryBytes));
    await fs.writeFile(path.join(mem, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes)).catch(() => undefined);
    await fs.writeFile(path.join(pids, 'pids.max'), String(limits.maxTasks));
  } catch (e) {
    await removeDir(pids);
    await removeDir(mem);
    throw e;
  }
  return {
    procsFiles: [path.join(mem, 'cgroup.procs'), path.join(pids, 'cgroup.procs')],
    async remove() {
      await removeDir(pids);
      await removeDir(mem);
    },
  };
}
