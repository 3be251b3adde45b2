/**
 * Native libraries loaded by notebook code (TensorFlow through tfjs-node) write start-up notes
 * straight to file descriptor 2, where no JavaScript can catch them, so they would land on the
 * cell's stderr — which nbgrader and nbclient users read as a failed cell. TensorFlow 2.21 prints
 * "oneDNN custom operations are on" through absl's logging before TF_CPP_MIN_LOG_LEVEL applies,
 * on every CPU where oneDNN is on by default (e.g. Intel Xeons with AVX-512 VNNI or AMX).
 * Informational lines in absl/glog's format (`I1206 13:19:06.871310    6993 port.cc:153] …`) and
 * absl's pre-initialisation banner go to the kernel's log instead; warnings, errors and anything
 * else stay on the cell's stderr.
 */

/** absl's banner, printed once before its first message when nothing initialised its logging. */
const ABSL_BANNER = /^WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR$/;
/**
 * An INFO line in absl/glog format: severity I, MMDD, time, thread id, file:line, `]`. Before
 * absl is initialised the date is 0000 and the time `00:00:<seconds since 1970>`.
 */
const NATIVE_INFO = /^I\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ [\w.-]+:\d+\] /;

/** Splits text from the runtime's stderr into what the cell shows and what only the kernel logs. */
export function splitNativeLog(text: string): { shown: string; logged: string } {
  if (!text.includes('WARNING: All log messages') && !/(^|\n)I\d{4} /.test(text)) return { shown: text, logged: '' };
  let shown = '';
  let logged = '';
  for (const line of text.split(/(?<=\n)/)) {
    const bare = line.replace(/\r?\n$/, '');
    if (ABSL_BANNER.test(bare) || NATIVE_INFO.test(bare)) logged += line;
    else shown += line;
  }
  return { shown, logged };
}
