#!/usr/bin/env python3
"""Check cost: N http checks against TargetServer (one port, N paths /t/0../t/N-1), at the default
interval (5s), for N = 100, 1,000, 10,000 (`--quick`: N = 100, short windows).

For each N, Vigil runs alone on CPU 0 (the target on CPU 1), then BaselineLoop (a bare WebClient
loop making the same requests on the same schedule) takes its place. Per run:

- checks done in the window, counted where they land (TargetServer), against the N/interval asked;
- CPU seconds per 1,000 checks, from /proc/PID/stat (utime + stime) over the window;
- interval error: the time between two requests to the same target minus the interval, measured by
  the target (both Vigil and the baseline add a designed jitter of +-5%, at most 250 ms);
- heap in use at the end (Vigil: jvm_memory_used_bytes on /metrics), the live heap after a full
  GC (jcmd GC.run, then jstat), RSS; Vigil's own probe counter and how long /metrics took;
- for Vigil, what /health/ready answers (once a second) and the check transitions (from its
  metrics) during the window, where its event loops spend their time (jcmd Thread.print samples,
  after the window) and how long it takes to exit after SIGTERM.
"""
import collections
import signal
import subprocess
import sys
import threading
import time

import benchlib as b

INTERVAL_S = 5
JITTER_MS = min(250, INTERVAL_S * 1000 // 20)
CLIENT_CPU = 0
TARGET_CPU = 1
SHUTDOWN_TIMEOUT_S = 20


class ReadyWatch(threading.Thread):
    """Asks /health/ready once a second: what an orchestrator sees while the monitor is busy."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.codes = collections.Counter()
        self.latencies_ms = []
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(1.0):
            t = time.monotonic()
            try:
                code, _ = b.http_get('/health/ready', self.port, timeout=5)
            except OSError:
                code = 'error'
            self.latencies_ms.append((time.monotonic() - t) * 1000)
            self.codes[code] += 1

    def figures(self):
        self.done.set()
        self.join(6)
        return {'ready_codes': {str(k): v for k, v in self.codes.items()},
                'ready_p50_ms': round(b.percentile(self.latencies_ms, 50), 2),
                'ready_max_ms': round(max(self.latencies_ms, default=float('nan')), 1)}


def hot_frames(pid, samples=15):
    """The first io.vigil frame on each busy event-loop stack, over `samples` thread dumps."""
    counts = collections.Counter()
    for _ in range(samples):
        dump = subprocess.run(['jcmd', str(pid), 'Thread.print'], capture_output=True, text=True, timeout=30).stdout
        for block in dump.split('\n\n'):
            if not block.startswith('"vert.x-eventloop-thread'):
                continue
            for line in block.splitlines()[1:]:
                line = line.strip()
                if line.startswith('at io.vigil.'):
                    counts[line[3:].split('(')[0]] += 1
                    break
        time.sleep(0.2)
    return counts.most_common(6)


def run_vigil(n, target_port, warm_s, measure_s, sample):
    port = b.free_port()
    started = time.monotonic()
    vigil = b.vigil('vigil-%d' % n, b.http_checks(port, target_port, n, INTERVAL_S, SHUTDOWN_TIMEOUT_S),
                    cpus=CLIENT_CPU)
    b.wait_http(port, '/health/startup', timeout=180, proc=vigil, poll=0.2)
    startup_s = time.monotonic() - started
    before, mid0, scrape_s = b.timed_scrape(port)
    r, _ = b.window(vigil, n, target_port, warm_s, measure_s, INTERVAL_S, JITTER_MS, watch=ReadyWatch(port))
    metrics, mid1, _ = b.timed_scrape(port)
    # Vigil's own count of probes whose result reached the board, between the scrapes' midpoints.
    span = mid1 - mid0
    probes = b.metric_sum(metrics, 'vigil_check_probes_total') - b.metric_sum(before, 'vigil_check_probes_total')
    r['vigil_probes_per_s'] = round(probes / span, 1)
    failed = collections.Counter()
    for (name, labels), value in metrics.items():
        if name == 'vigil_check_failures_total':
            failed[dict(labels)['reason']] += int(value - before.get((name, labels), 0))
    r['vigil_failed'] = {reason: count for reason, count in failed.items() if count}
    moved = collections.Counter()
    for (name, labels), value in metrics.items():
        if name == 'vigil_check_transitions_total':
            moved[dict(labels)['to']] += int(value - before.get((name, labels), 0))
    r['transitions'] = {to: count for to, count in moved.items() if count}
    r['heap_mib'] = round(b.metric_sum(metrics, 'jvm_memory_used_bytes', area='heap') / 2**20, 1)
    r['rss_mib'] = round(b.rss_mib(vigil.pid), 1)
    r['startup_s'] = round(startup_s, 1)
    r['scrape_s'] = round(scrape_s, 2)
    if sample:
        r['hot'] = hot_frames(vigil.pid)
    r['live_heap_mib'] = round(b.live_heap_mib(vigil.pid), 1)
    t = time.monotonic()
    vigil.signal(signal.SIGTERM)
    code = vigil.wait(SHUTDOWN_TIMEOUT_S + 10)
    r['exit_s'] = round(time.monotonic() - t, 1)
    r['exit_status'] = code
    vigil.stop()
    return r


def run_baseline(n, target_port, warm_s, measure_s):
    base = b.java('baseline-%d' % n, 'BaselineLoop', [target_port, n, INTERVAL_S * 1000], cpus=CLIENT_CPU)
    r, _ = b.window(base, n, target_port, warm_s, measure_s, INTERVAL_S, JITTER_MS)
    r['rss_mib'] = round(b.rss_mib(base.pid), 1)
    r['heap_mib'] = round(b.heap_used_mib(base.pid), 1)
    r['live_heap_mib'] = round(b.live_heap_mib(base.pid), 1)
    base.stop()
    return r


def show(n, who, r):
    kept = r['checks'] / r['expected'] if r['expected'] else float('nan')
    print('  N=%-6d %-8s %7d checks in %4.0fs (%3.0f%% of N/interval)  %.3f CPU-s/1000 checks  %4.2f cores  '
          'interval error p50 %5.1f ms p99 %6.1f ms  heap %6.1f MiB (live %6.1f)  RSS %6.1f MiB'
          % (n, who, r['checks'], r['seconds'], 100 * kept, r['cpu_per_1000'], r['cores_busy'],
             r['interval_err_p50_ms'], r['interval_err_p99_ms'], r['heap_mib'], r['live_heap_mib'], r['rss_mib']),
          flush=True)


def run(quick):
    sizes = [100] if quick else [100, 1000, 10000]
    # Windows (and warm-up + window, which Vigil's own count spans) are whole intervals.
    warm_s, measure_s, base_measure_s = (5, 10, 5) if quick else (15, 60, 30)
    target, target_port = b.target_server(max(sizes), cpus=TARGET_CPU)
    result = {'interval_s': INTERVAL_S, 'jitter_ms': JITTER_MS, 'measure_s': measure_s,
              'pinning': 'Vigil or baseline on CPU %d, target on CPU %d' % (CLIENT_CPU, TARGET_CPU), 'runs': {}}
    for n in sizes:
        print('N=%d: Vigil (%ds warm-up, %ds window), then the baseline' % (n, warm_s, measure_s), flush=True)
        v = run_vigil(n, target_port, warm_s, measure_s, sample=not quick and n == max(sizes))
        show(n, 'vigil', v)
        base = run_baseline(n, target_port, warm_s, base_measure_s)
        show(n, 'baseline', base)
        result['runs'][n] = {'vigil': v, 'baseline': base}
    target.check_alive()

    print('\ncheck cost (http checks every %ds, %s; interval error = |time between requests - %ds|, '
          'designed jitter +-%d ms)' % (INTERVAL_S, result['pinning'], INTERVAL_S, JITTER_MS))
    for n, runs in result['runs'].items():
        for who in ('vigil', 'baseline'):
            show(n, who, runs[who])
        v = runs['vigil']
        if v['checks'] < 0.95 * v['expected']:
            print('  N=%d: Vigil does NOT keep up: %d of %d checks due in the window (%.0f%%)'
                  % (n, v['checks'], v['expected'], 100.0 * v['checks'] / v['expected']))
        failed = sum(v['vigil_failed'].values())
        print('  N=%d: Vigil: %.0f probes/s by its own count (asked: %.0f/s), failed %d %s; %.1f%% of intervals '
              'late beyond the jitter; check transitions %s; /health/ready once a second: %s, p50 %.2f ms, max %.1f ms; '
              'startup %.1fs; /metrics scrape %.2fs; exit after SIGTERM %.1fs (status %s)'
              % (n, v['vigil_probes_per_s'], n / INTERVAL_S, failed, v['vigil_failed'] or '', 100 * v['late_over_jitter'],
                 v['transitions'] or 'none', v['ready_codes'], v['ready_p50_ms'], v['ready_max_ms'],
                 v['startup_s'], v['scrape_s'], v['exit_s'], v['exit_status']))
        if v.get('hot'):
            print('  N=%d: Vigil event loops, top frames: %s' % (n, ', '.join('%s x%d' % h for h in v['hot'])))
    for n, runs in result['runs'].items():
        v, base = runs['vigil'], runs['baseline']
        print('ratio vigil/baseline N=%d cpu-per-1000-checks %.1f live-heap %.1f interval-err-p99 %.2f'
              % (n, v['cpu_per_1000'] / base['cpu_per_1000'], v['live_heap_mib'] / base['live_heap_mib'],
                 v['interval_err_p99_ms'] / base['interval_err_p99_ms']))
    return result


if __name__ == '__main__':
    sys.exit(b.main('checkcost', run, limits=(90, 900)))
