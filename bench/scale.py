#!/usr/bin/env python3
"""Scale curve: the check-cost run at N = 100, 1,000, 10,000 and 50,000 http checks (`--quick`:
100 and 1,000 every 5 s, short windows), every 30 s, against TargetServer (one port, N paths), so that the
growth of each cost with N is visible. Per check it should be flat.

For each N, Vigil runs alone on CPU 0 (the target on CPU 1), with the JVM's default heap (a quarter
of the machine's memory), and the script records:

- CPU per check: Vigil's CPU seconds over the window (/proc/PID/stat) per check done (counted where
  it lands, at the target), in ms;
- live heap per check: the heap in use right after a full GC (jcmd GC.run, then jstat) over N, in KiB;
- interval error p50/p99: the time between two requests to the same target minus the interval;
- checks done against N/interval asked;
- the time of one /metrics scrape (and its size), and the start to /health/startup 200.

Writes bench/out/scale-MODE.json and bench/out/scale-MODE.svg (CPU and heap per check against N);
a full run also writes docs/scale-curve.svg, the plot docs/benchmarks.md shows.
"""
import math
import os
import resource
import signal
import sys
import time

import benchlib as b

INTERVAL_S = 30
QUICK_INTERVAL_S = 5  # a quick window is shorter than 30 s

VIGIL_CPU = 0
TARGET_CPU = 1
SHUTDOWN_TIMEOUT_S = 30
DOCS_PLOT = os.path.join(b.ROOT, 'docs', 'scale-curve.svg')


def jitter_ms(interval_s):
    return min(250, interval_s * 1000 // 20)


def checks_yaml(port, target_port, n, interval_s):
    """N http checks t0..tN-1. No `expect`: the default (any 2xx or 3xx) keeps 50,000 checks under
    the config file's 4 MiB limit."""
    lines = [f'server: {{ host: 127.0.0.1, port: {port}, shutdown: {{ drain-delay: 0s, timeout: {SHUTDOWN_TIMEOUT_S}s }} }}',
             'checks:',
             f'  defaults: {{ interval: {interval_s}s, timeout: 5s }}']
    lines += [f'  t{i}: {{ type: http, url: "{b.target_url(target_port, i)}" }}' for i in range(n)]
    return '\n'.join(lines) + '\n'


def timed_raw_scrape(port, timeout):
    """One /metrics request: (seconds, bytes). The body is not parsed: at 50,000 checks it is about
    2 million series."""
    t = time.monotonic()
    code, body = b.http_get('/metrics', port, timeout=timeout)
    took = time.monotonic() - t
    if code != 200:
        raise b.BenchError('/metrics answered %d' % code)
    return took, len(body)


def run_one(n, target_port, interval_s, warm_s, measure_s):
    port = b.free_port()
    started = time.monotonic()
    vigil = b.vigil('vigil-scale-%d' % n, checks_yaml(port, target_port, n, interval_s), cpus=VIGIL_CPU)
    b.wait_http(port, '/health/startup', timeout=900, proc=vigil, poll=0.5)
    startup_s = time.monotonic() - started
    r, _ = b.window(vigil, n, target_port, warm_s, measure_s, interval_s, jitter_ms(interval_s))
    scrape_s, scrape_bytes = timed_raw_scrape(port, timeout=600)
    live = b.live_heap_mib(vigil.pid)
    r.update({
        'n': n,
        'startup_s': round(startup_s, 1),
        'scrape_s': round(scrape_s, 2),
        'scrape_mib': round(scrape_bytes / 2**20, 1),
        'live_heap_mib': round(live, 1),
        'live_heap_kib_per_check': round(live * 1024 / n, 2),
        'cpu_ms_per_check': round(r['cpu_s'] * 1000 / r['checks'], 3) if r['checks'] else float('nan'),
        'rss_mib': round(b.rss_mib(vigil.pid), 1),
    })
    vigil.signal(signal.SIGTERM)
    r['exit_status'] = vigil.wait(SHUTDOWN_TIMEOUT_S + 30)
    vigil.stop()
    return r


def show(r):
    print('  N=%-6d %8d checks in %3.0fs (%3.0f%% of N/interval)  CPU %.3f ms/check (%.2f cores)  live heap %7.1f MiB '
          '= %6.2f KiB/check  interval error p50 %5.1f ms p99 %6.1f ms  /metrics %6.2fs (%5.1f MiB)  startup %5.1fs'
          % (r['n'], r['checks'], r['seconds'], 100.0 * r['checks'] / r['expected'] if r['expected'] else float('nan'),
             r['cpu_ms_per_check'], r['cores_busy'], r['live_heap_mib'], r['live_heap_kib_per_check'],
             r['interval_err_p50_ms'], r['interval_err_p99_ms'], r['scrape_s'], r['scrape_mib'], r['startup_s']),
          flush=True)


def svg(runs, title, interval_s):
    """Two panels, CPU per check and live heap per check against N (log scale), as plain SVG."""
    width, height, pad = 760, 300, 60
    panels = [('CPU per check (ms)', 'cpu_ms_per_check'), ('live heap per check (KiB)', 'live_heap_kib_per_check')]
    ns = [r['n'] for r in runs]
    lo, hi = math.log10(min(ns)), math.log10(max(ns))
    span = (hi - lo) or 1.0
    pw = (width - 3 * pad) / 2
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">'
           % (width, height + 40),
           '<text x="%d" y="18" font-size="14">%s</text>' % (pad, title)]
    for k, (label, key) in enumerate(panels):
        x0 = pad + k * (pw + pad)
        ys = [r[key] for r in runs]
        top = max(ys) * 1.2 or 1.0
        out.append('<text x="%.0f" y="40">%s</text>' % (x0, label))
        out.append('<rect x="%.0f" y="50" width="%.0f" height="%d" fill="none" stroke="#999"/>' % (x0, pw, height - 80))
        pts = []
        for r, y in zip(runs, ys):
            px = x0 + (math.log10(r['n']) - lo) / span * pw
            py = 50 + (height - 80) * (1 - y / top)
            pts.append((px, py))
            out.append('<circle cx="%.1f" cy="%.1f" r="4" fill="#c0392b"/>' % (px, py))
            out.append('<text x="%.1f" y="%.1f" text-anchor="middle">%g</text>' % (px, py - 8, y))
            out.append('<text x="%.1f" y="%d" text-anchor="middle">N=%s</text>' % (px, height - 12, format(r['n'], ',')))
        out.append('<polyline fill="none" stroke="#c0392b" points="%s"/>' % ' '.join('%.1f,%.1f' % p for p in pts))
    out.append('<text x="%d" y="%d">http checks every %ds; Vigil on one core, the target on the other; log scale in N</text>'
               % (pad, height + 25, interval_s))
    out.append('</svg>')
    return '\n'.join(out) + '\n'


def open_files_limit(wanted):
    """Raises the open-files limit towards `wanted`, as far as allowed (root with CAP_SYS_RESOURCE
    beyond the hard limit); Vigil and the target inherit it. Returns the limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    for limit in ((wanted, max(hard, wanted)), (min(wanted, hard), hard)):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, limit)
            break
        except (ValueError, OSError):
            continue
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def files_needed(n):
    """The http checks of one event loop share their idle connections to the target, 8,192 checks
    to a client (5,738 connections at N = 50,000 with one client per loop, 887 at 10,000): up to
    about N/4 files in Vigil and as many in the target, plus the JVM's own."""
    return n // 4 + 2000


def run(quick):
    sizes = [100, 1000] if quick else [100, 1000, 10000, 50000]
    limit = open_files_limit(files_needed(max(sizes)))
    skipped = [n for n in sizes if files_needed(n) > limit]
    sizes = [n for n in sizes if n not in skipped]
    for n in skipped:
        print('N=%d skipped: it needs about %d open files per process, the limit here is %d (ulimit -n; raising it '
              'needs CAP_SYS_RESOURCE)' % (n, files_needed(n), limit), flush=True)
    interval_s = QUICK_INTERVAL_S if quick else INTERVAL_S
    warm_s, measure_s = interval_s, 2 * interval_s
    target, target_port = b.target_server(max(sizes), cpus=TARGET_CPU)
    runs = []
    for n in sizes:
        print('N=%d: %ds warm-up, %ds window' % (n, warm_s, measure_s), flush=True)
        r = run_one(n, target_port, interval_s, warm_s, measure_s)
        show(r)
        runs.append(r)
    target.check_alive()
    result = {'interval_s': interval_s, 'jitter_ms': jitter_ms(interval_s), 'measure_s': measure_s,
              'skipped': {n: 'needs about %d open files, limit %d' % (files_needed(n), limit) for n in skipped},
              'pinning': 'Vigil on CPU %d, target on CPU %d' % (VIGIL_CPU, TARGET_CPU), 'runs': runs}
    plot = svg(runs, 'Vigil scale curve (%s run)' % ('quick' if quick else 'full'), interval_s)
    os.makedirs(b.OUT, exist_ok=True)
    with open(os.path.join(b.OUT, 'scale-%s.svg' % ('quick' if quick else 'full')), 'w') as f:
        f.write(plot)
    if not quick:
        with open(DOCS_PLOT, 'w') as f:
            f.write(plot)

    print('\nscale curve (http checks every %ds, %s)' % (interval_s, result['pinning']))
    for r in runs:
        show(r)
    # Between two sizes the fixed costs (the JVM's own heap, idle timers) cancel out: what one more
    # check costs at that scale.
    for prev, r in zip(runs, runs[1:]):
        dn = r['n'] - prev['n']
        r['marginal_heap_kib_per_check'] = round((r['live_heap_mib'] - prev['live_heap_mib']) * 1024 / dn, 2)
        r['marginal_cpu_ms_per_check'] = round(
            (r['cpu_s'] - prev['cpu_s']) * 1000 / (r['checks'] - prev['checks']), 3) if r['checks'] > prev['checks'] else None
        r['marginal_scrape_ms_per_check'] = round((r['scrape_s'] - prev['scrape_s']) * 1000 / dn, 3)
        print('from N=%d to N=%d, per added check: CPU %s ms, live heap %.2f KiB, /metrics %.3f ms'
              % (prev['n'], r['n'], r['marginal_cpu_ms_per_check'], r['marginal_heap_kib_per_check'],
                 r['marginal_scrape_ms_per_check']))
    return result


if __name__ == '__main__':
    sys.exit(b.main('scale', run, limits=(150, 2400)))
