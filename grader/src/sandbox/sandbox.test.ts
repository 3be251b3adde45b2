import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findKernelRoot } from '../../../kernel/src/server/environment';
import { requireSandbox, SandboxUnavailable, sandboxedKernel, type Sandbox } from './sandbox';

const sandbox: Sandbox = { bwrap: '/usr/bin/bwrap', prlimit: '/usr/bin/prlimit', cgroups: { version: 0, why: 'test' } };
const pairs = (argv: string[], flag: string) => argv.flatMap((a, i) => (a === flag ? [`${argv[i + 1]} ${argv[i + 2]}`] : []));

describe('the sandbox command', () => {
  const opts = { kernelRoot: '/opt/tsdl', root: '/tmp/tsdl-grade-x', cwd: '/tmp/tsdl-grade-x/alice', env: { NBGRADER_EXECUTION: 'autograde' }, limits: { cpuSeconds: 1260, maxFileBytes: 1024 } };

  it('gives the code its scratch folder to write, the kernel\'s files to read, and nothing of the grader\'s', () => {
    process.env.TSDL_TEST_SECRET = 'grader-secret';
    const { argv } = sandboxedKernel(sandbox, opts);
    delete process.env.TSDL_TEST_SECRET;
    expect(argv.slice(0, 6)).toEqual(['/usr/bin/bwrap', '--unshare-all', '--die-with-parent', '--new-session', '--cap-drop', 'ALL']);
    expect(pairs(argv, '--bind')).toEqual(['/tmp/tsdl-grade-x /tmp/tsdl-grade-x']);
    // Read-only: the kernel's own folders, never the project as a whole (its sources, notebooks, tests).
    const root = findKernelRoot();
    const project = sandboxedKernel(sandbox, { ...opts, kernelRoot: root }).argv;
    const under = pairs(project, '--ro-bind').filter((p) => p.startsWith(root)).map((p) => path.relative(root, p.split(' ')[0]));
    expect(under).toEqual(['package.json', 'bin', 'kernel/bin', 'dist', 'node_modules', 'data'].filter((p) => existsSync(path.join(root, p))));
    expect(under).toContain('dist');
    expect(argv).toContain('--clearenv');
    expect(argv.join(' ')).not.toContain('grader-secret');
    expect(pairs(argv, '--setenv')).toEqual(expect.arrayContaining(['NBGRADER_EXECUTION autograde', 'HOME /tmp/tsdl-grade-x/alice']));
    expect(argv.slice(argv.indexOf('/usr/bin/prlimit'), argv.indexOf('--', argv.indexOf('/usr/bin/prlimit')) + 1)).toEqual(['/usr/bin/prlimit', '--cpu=1260', '--fsize=1024', '--core=0', '--']);
    expect(argv.slice(-4)).toEqual([path.join('/opt/tsdl', 'bin', 'tsdl.js'), 'kernel', '-f', '{connection_file}']);
  });

  it('joins the cgroups before becoming bwrap', () => {
    const { argv } = sandboxedKernel(sandbox, { ...opts, procsFiles: ['/sys/fs/cgroup/x/cgroup.procs'] });
    expect(argv.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(argv.slice(3, 7)).toEqual(['sh', '/sys/fs/cgroup/x/cgroup.procs', '--', '/usr/bin/bwrap']);
  });
});

describe('without bubblewrap', () => {
  it('refuses, saying what is missing and how to get it', () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'tsdl-nobwrap-'));
    const saved = process.env.PATH;
    process.env.PATH = empty;
    try {
      expect(() => requireSandbox()).toThrow(SandboxUnavailable);
      expect(() => requireSandbox()).toThrow(/bubblewrap \(bwrap\).*not installed.*sudo apt-get install bubblewrap.*--no-sandbox/);
    } finally {
      process.env.PATH = saved;
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
