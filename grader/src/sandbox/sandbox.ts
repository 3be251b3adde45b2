/**
 * Each submission's kernel runs inside bubblewrap (bwrap): new user, mount, pid, network, IPC and
 * UTS namespaces, so its code sees only
 * - read-only: the system's programs and libraries (/usr, and /lib, /bin... as the host has them),
 *   Node, and the parts of tsdl a kernel needs (package.json, bin/, kernel/bin/, dist/, node_modules/, data/)
 *   and the datasets cache;
 * - writable: its own scratch folder (a copy of its submission's folder), and an empty /tmp;
 * - a fresh /proc with only its own processes, a minimal /dev, no network (not even the host's
 *   loopback: the grader talks to the kernel over Unix sockets in the scratch folder), and an
 *   environment holding only what is set here — no variable of the grader's.
 * Every process in it ends when the kernel does (it is pid 1's namespace, and bwrap dies with
 * the grader). Limits: CPU seconds, file size and core dumps by rlimit (prlimit), the runtime's
 * heap by --max-old-space-size, and, where a cgroup can be made (cgroup.ts), memory over all its
 * processes and their number. RLIMIT_AS is not used: wasm reserves address space up front, and
 * TensorFlow.js's wasm backend fails to start under 8 GiB of it (measured: grader/README.md).
 * Node's permission model is not used either: it refuses native addons, and the kernel's
 * ZeroMQ sockets are one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cgroupSupport, type CgroupSupport } from './cgroup';

/** Thrown when a submission cannot be isolated here; the message says what is missing and how to get it. */
export class SandboxUnavailable extends Error {
  override name = 'SandboxUnavailable';
}

export interface Sandbox {
  bwrap: string;
  /** util-linux's prlimit, which sets the rlimits inside; without it they are not set. */
  prlimit: string | undefined;
  cgroups: CgroupSupport;
}

export interface SandboxLimits {
  /** CPU seconds each process may use (RLIMIT_CPU); past it the process is killed. */
  cpuSeconds: number;
  /** Largest file the code may write (RLIMIT_FSIZE). */
  maxFileBytes: number;
}

/** Environment variables of the grader that configure the kernel, passed on; nothing else is. */
export const PASSED_ENV = ['TSDL_BACKEND', 'TSDL_WASM_THREADS', 'TSDL_BUDGET', 'TSDL_TYPECHECK', 'TSDL_NATIVE_CHECKER', 'LANG'];

function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(path.delimiter)) {
    const file = path.join(dir, name);
    if (dir && existsSync(file)) return file;
  }
  return undefined;
}

const NO_SANDBOX = 'or pass --no-sandbox to grade without isolation (only for work you trust: its code can then read and write whatever the grading user can)';

/**
 * Finds bwrap and checks that it can make the namespaces the sandbox needs on this machine.
 * Throws {@link SandboxUnavailable} naming the fix.
 */
export function requireSandbox(): Sandbox {
  const bwrap = which('bwrap');
  if (!bwrap) {
    throw new SandboxUnavailable(`grading needs bubblewrap (bwrap) to isolate each submission, and it is not installed: install it (Debian/Ubuntu: \`sudo apt-get install bubblewrap\`; Fedora: \`sudo dnf install bubblewrap\`; Arch: \`sudo pacman -S bubblewrap\`), ${NO_SANDBOX}`);
  }
  const probe = spawnSync(bwrap, ['--unshare-all', '--die-with-parent', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', 'true'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.status !== 0) {
    const why = (probe.stderr || probe.error?.message || `exit ${probe.status}`).trim();
    throw new SandboxUnavailable(`bubblewrap is installed but cannot make the namespaces a sandbox needs here (${why}). Allow unprivileged user namespaces (\`sudo sysctl -w kernel.unprivileged_userns_clone=1\`; on Ubuntu 24.04 also \`sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0\`), grade inside a VM or a container that allows them, ${NO_SANDBOX}`);
  }
  return { bwrap, prlimit: which('prlimit'), cgroups: cgroupSupport() };
}

/** Lines for the teacher: what isolates and limits each submission on this machine. */
export function describeSandbox(sb: Sandbox): string[] {
  return [
    `each submission runs in bubblewrap (${sb.bwrap}): its own scratch folder, no network, no access to other files`,
    sb.prlimit ? 'CPU time and file size limited per process (prlimit)' : 'CPU time and file size NOT limited: util-linux\'s prlimit is not installed',
    sb.cgroups.version === 0 ? `memory over all its processes and their number NOT limited: ${sb.cgroups.why}` : `memory over all its processes and their number limited (cgroup v${sb.cgroups.version})`,
  ];
}

/** Read-only binds for a top-level system folder, as a symlink where the host has one (merged /usr). */
function systemDir(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const stat = lstatSync(dir);
  if (stat.isSymbolicLink()) return ['--symlink', readlinkSync(dir), dir];
  return ['--ro-bind', dir, dir];
}

const roBind = (p: string) => (existsSync(p) ? ['--ro-bind', p, p] : []);

/** Where tsdl's datasets are cached (lib/src/data/download.ts): readable inside, not writable. */
function datasetsCache(): string {
  const env = process.env.TSDL_CACHE;
  return env && env.trim() !== '' ? env : path.join(os.homedir(), '.cache', 'tsdl');
}

export interface SandboxedKernel {
  /** The command line for KernelClient.start: `{connection_file}` is replaced by the client. */
  argv: string[];
}

/**
 * The command that starts a tsdl kernel inside the sandbox.
 * @param root the scratch root, writable inside (the submission's copy and the kernel's sockets)
 * @param cwd the submission's copy, the kernel's working directory
 * @param env the whole environment the kernel gets
 * @param procsFiles cgroup.procs files to join before entering the sandbox
 */
export function sandboxedKernel(sb: Sandbox, opts: { kernelRoot: string; root: string; cwd: string; env: Record<string, string>; limits: SandboxLimits; procsFiles?: string[] }): SandboxedKernel {
  const node = realpathSync(process.execPath);
  const nodePrefix = path.dirname(path.dirname(node));
  const cache = datasetsCache();
  const env: Record<string, string> = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: opts.cwd, TMPDIR: '/tmp', LANG: 'C.UTF-8' };
  for (const name of PASSED_ENV) if (process.env[name]) env[name] = process.env[name]!;
  if (existsSync(cache)) env.TSDL_CACHE = cache;
  Object.assign(env, opts.env);
  const bwrapArgs = [
    '--unshare-all', '--die-with-parent', '--new-session', '--cap-drop', 'ALL',
    ...['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'].flatMap(systemDir),
    // Only what the dynamic loader, time zones and TLS need from /etc: not passwd, not the host's config.
    ...['/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/localtime', '/etc/ssl', '/etc/alternatives'].flatMap(roBind),
    '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp',
    ...(node.startsWith('/usr/') ? [] : roBind(nodePrefix)),
    ...['package.json', 'bin', 'kernel/bin', 'dist', 'node_modules', 'data'].flatMap((p) => roBind(path.join(opts.kernelRoot, p))),
    ...(existsSync(cache) ? roBind(cache) : []),
    '--bind', opts.root, opts.root,
    '--ro-bind', '{connection_file}', '{connection_file}',
    '--chdir', opts.cwd,
    '--clearenv', ...Object.entries(env).flatMap(([k, v]) => ['--setenv', k, v]),
  ];
  const limits = sb.prlimit
    ? [sb.prlimit, `--cpu=${Math.ceil(opts.limits.cpuSeconds)}`, `--fsize=${opts.limits.maxFileBytes}`, '--core=0', '--']
    : [];
  const kernel = [node, path.join(opts.kernelRoot, 'bin', 'tsdl.js'), 'kernel', '-f', '{connection_file}'];
  const inner = [sb.bwrap, ...bwrapArgs, ...limits, ...kernel];
  if (!opts.procsFiles?.length) return { argv: inner };
  // The shell joins the cgroups, then becomes bwrap, so every process of the sandbox is inside.
  const join = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 97; shift; done; shift; exec "$@"';
  return { argv: ['/bin/sh', '-c', join, 'sh', ...opts.procsFiles, '--', ...inner] };
}
