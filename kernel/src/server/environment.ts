/**
 * Where the kernel's own files are, and what it tells frontends about itself (kernel_info).
 * Read once at start-up without loading TypeScript or TensorFlow.js, so kernel_info is instant.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROTOCOL_VERSION } from '../protocol/messages';

export interface KernelEnvironment {
  kernelRoot: string;
  /** Declaration file of the notebook globals (display, input…). */
  notebookGlobals: string;
  /** Module name -> declaration file, for the type checker. */
  typeAliases: Record<string, string>;
  /** Module name -> JavaScript file, for the runtime. */
  runtimeAliases: Record<string, string>;
  kernelInfo: Record<string, unknown>;
}

/**
 * The tsdl package root, as Node resolves the package's own name (package.json exports
 * "./package.json"): the folder that holds dist/, node_modules/ and data/.
 */
export function findKernelRoot(): string {
  try {
    return path.dirname(require.resolve('tsdl/package.json'));
  } catch (e) {
    throw new Error(`Cannot find the tsdl package from ${__dirname} (${(e as Error).message}): reinstall tsdl.`);
  }
}

function readVersion(file: string): string {
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/**
 * Which tensor backend the library will pick, without loading TensorFlow.js: through the
 * package's own `tsdl/backend-probe` export (the library sits above the kernel, so no static import).
 */
function backendName(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const probe = require('tsdl/backend-probe') as { probeBackend(): { name: string; reason: string } };
    const { name, reason } = probe.probeBackend();
    return `${name} (${reason})`;
  } catch {
    return 'unknown (the tsdl library is not built: run `npm run build`)';
  }
}

export function kernelEnvironment(): KernelEnvironment {
  const root = findKernelRoot();
  const dist = path.join(root, 'dist');
  const exportsMap = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    exports: Record<string, { types: string; default: string } | string>;
  }).exports;
  const typeAliases: Record<string, string> = {};
  const runtimeAliases: Record<string, string> = {};
  for (const [key, target] of Object.entries(exportsMap)) {
    if (typeof target === 'string') continue;
    const name = key === '.' ? 'tsdl' : `tsdl/${key.slice(2)}`;
    typeAliases[name] = path.join(root, target.types);
    runtimeAliases[name] = path.join(root, target.default);
  }
  // tslab's display API, so tslab notebooks keep working.
  typeAliases.tslab = path.join(dist, 'display/src/tslab.d.ts');
  runtimeAliases.tslab = path.join(dist, 'display/src/tslab.js');

  const tsVersion = readVersion(path.join(root, 'node_modules/typescript/package.json'));
  const version = readVersion(path.join(root, 'package.json'));
  // TypeScript 7 checks the cells it can when its package is installed (compiler/native-checker.ts).
  const native = fs.existsSync(path.join(root, 'node_modules/typescript-7/package.json'))
    ? ` (cells checked by TypeScript ${readVersion(path.join(root, 'node_modules/typescript-7/package.json'))}, native, where it can)` : '';
  const banner = `tsdl ${version}: TypeScript ${tsVersion}${native} on Node.js ${process.version.slice(1)}, tensors on ${backendName()}`;
  return {
    kernelRoot: root,
    notebookGlobals: path.join(dist, 'kernel/src/runtime/notebook-globals.d.ts'),
    typeAliases,
    runtimeAliases,
    kernelInfo: {
      protocol_version: PROTOCOL_VERSION,
      implementation: 'tsdl',
      implementation_version: version,
      language_info: {
        name: 'typescript',
        version: tsVersion,
        mimetype: 'text/typescript',
        file_extension: '.ts',
        // A string, as the messaging spec's strict readers (the Rust jupyter-protocol crate) accept;
        // JupyterLab finds its TypeScript mode by this name.
        codemirror_mode: 'typescript',
        pygments_lexer: 'typescript',
      },
      banner,
      help_links: [
        { text: 'tsdl', url: 'https://www.npmjs.com/package/tsdl' },
        { text: 'TypeScript', url: 'https://www.typescriptlang.org/docs/' },
        { text: 'TensorFlow.js API', url: 'https://js.tensorflow.org/api/latest/' },
      ],
      debugger: false,
    },
  };
}
