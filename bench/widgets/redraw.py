"""How long an interact redraw takes through the tsdl kernel, as JupyterLab's widget manager sees it:
from the frontend's comm_msg (a slider's new value) to the kernel's idle status, and how many bytes
of widget state the redraw sends. Two figures: a 41-point line and a 70x70 heatmap with a path on
it (chapter 04's loss surface). Writes bench/widgets/results.md.

    .venv/bin/python bench/widgets/redraw.py [--repeat 20]
"""
import argparse, json, os, platform, statistics, time
from jupyter_client.manager import start_new_kernel

FIGURES = {
    'line, 41 points': '''const xs = Array.from({ length: 41 }, (_, i) => -2 + i / 10);
const fig = (a: number) => tsdl.line({ y: xs.map((x) => a * x * x) }, { x: xs, title: `a = ${a}` });''',
    'heatmap 70x70 + path': '''const grid = Array.from({ length: 70 }, (_, j) => Array.from({ length: 70 }, (_, i) => Math.log10(1 + (i - 35) ** 2 + 3 * (j - 20) ** 2)));
const fig = (a: number) => {
  const heat = tsdl.heatmap(grid, { colorscale: "Viridis" });
  const path = Array.from({ length: 101 }, (_, t) => [35 + 30 * Math.exp(-t / (5 + a)) * Math.cos(t / 5), 20 + 30 * Math.exp(-t / (5 + a)) * Math.sin(t / 5)]);
  return new tsdl.Figure([...heat.data, { type: "scatter", mode: "lines", x: path.map((p) => p[0]), y: path.map((p) => p[1]) }], { title: `a = ${a}` });
};''',
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--repeat', type=int, default=20)
    args = ap.parse_args()
    km, kc = start_new_kernel(kernel_name='tsdl', startup_timeout=120)
    rows = []
    try:
        kc.execute_interactive('import * as tsdl from "tsdl";\nimport { interact, slider } from "tsdl/widgets";', timeout=120)
        for name, code in FIGURES.items():
            ids = {}
            def hook(m):
                if m['header']['msg_type'] == 'comm_open' and m['content']['data']['state'].get('_model_name') == 'IntSliderModel':
                    ids['slider'] = m['content']['comm_id']
            kc.execute_interactive(code + '\ninteract(({ a }) => fig(a), { a: slider({ min: 0, max: 1000, value: 0 }) })', timeout=120, output_hook=hook)
            times, sizes = [], []
            for i in range(1, args.repeat + 1):
                m = kc.session.msg('comm_msg', {'comm_id': ids['slider'], 'data': {'method': 'update', 'state': {'value': i}, 'buffer_paths': []}}, metadata={'version': '2.1.0'})
                start = time.perf_counter()
                kc.shell_channel.send(m)
                size = 0
                while True:
                    r = kc.get_iopub_msg(timeout=60)
                    if r['parent_header'].get('msg_id') != m['header']['msg_id']:
                        continue
                    if r['header']['msg_type'] == 'comm_msg' and r['content']['data'].get('method') == 'update':
                        size += len(json.dumps(r['content']['data']))
                    if r['header']['msg_type'] == 'status' and r['content']['execution_state'] == 'idle':
                        break
                times.append((time.perf_counter() - start) * 1000)
                sizes.append(size)
            rows.append((name, statistics.median(times), max(times), statistics.median(sizes)))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    lines = ['# interact redraw through the tsdl kernel', '',
             f'`bench/widgets/redraw.py --repeat {args.repeat}` on {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs '
             '(loaded by other work while measured). From the comm_msg with a new slider value to the kernel\'s idle status '
             '(the function rerun, its figure rendered to Plotly JSON and SVG, the output widget\'s state sent), as JupyterLab '
             'waits for it before sending the next value of a drag.', '',
             '| figure | median ms | max ms | update sent (KB of JSON) |', '|---|---|---|---|']
    lines += [f'| {n} | {med:.1f} | {mx:.1f} | {size / 1024:.0f} |' for n, med, mx, size in rows]
    out = os.path.join(os.path.dirname(__file__), 'results.md')
    open(out, 'w').write('\n'.join(lines) + '\n')
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
