import { silentProgress } from '../progress';
import { fakeKernel } from './fakeKernel';

/** What `tsdl grade` commands print, captured, with the fake kernel and no progress bar: their test dependencies. */
export function cliIo() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, deps: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), startRunner: fakeKernel(), progress: silentProgress } };
}
