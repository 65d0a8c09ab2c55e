#!/usr/bin/env python3
"""Peers: Vigil and Prometheus' blackbox_exporter doing the same HTTP probes against the same
targets, in the same run: N targets on TargetServer (/t/0../t/N-1), each probed once per interval
(5 s, as in checkcost), N = 100 and 1,000 (`--quick`: N = 100, short windows).

Each server runs alone on CPU 0, the target on CPU 1:

- Vigil with N http checks, as checkcost runs it; its probes are its own count of successes
  (vigil_check_probes_total{outcome="success"}) between two scrapes taken outside the CPU window;
- blackbox_exporter (module http_2xx: prober http, timeout 2s) driven the way Prometheus drives it:
  a driver (this script with --drive, a process of its own on CPU 1 beside the target, so its cost
  lands on neither side) asks /probe?target=URL&module=http_2xx for each target once per interval,
  each target at its own offset in the interval as Prometheus' scrape loops are, on keep-alive
  connections with Prometheus' headers (gzip, scrape timeout); its probes are the answers with
  probe_success 1 that arrived inside the window.

Per run: CPU seconds of the server process (utime + stime from /proc/PID/stat, all its threads)
over the same window, per successful probe; the target's count of requests and the interval it saw
per target (as checkcost). The warm-ups differ: Vigil's is long enough for most of the JIT's work
(and scrapes /metrics once per interval, as Prometheus would), blackbox_exporter's one interval.
For Vigil also the CPU of one /metrics scrape (OpenMetrics) right after the window: what Prometheus
asks of Vigil once per interval to get the results that blackbox_exporter hands it with each probe.
"""
import gzip
import http.client
import json
import os
import queue
import re
import sys
import threading
import time
import urllib.parse

import benchlib as b

INTERVAL_S = 5
JITTER_MS = min(250, INTERVAL_S * 1000 // 20)  # Vigil's designed jitter; the driver has none
SERVER_CPU = 0
TARGET_CPU = 1  # the target and the driver
SHUTDOWN_TIMEOUT_S = 20
DRIVER_WORKERS = 16  # concurrent scrapes at most; at 200 probes/s answered in a few ms, plenty
DRIVER_TAIL_S = 1  # the driver runs this much past the window, so that the window's end is loaded
# What Prometheus 2.x sends with a scrape (scrape.go): blackbox_exporter gzips its answer on it and
# bounds the probe by the scrape timeout (here the interval, as Prometheus caps it).
PROMETHEUS_HEADERS = {
    'Accept': 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,'
              'text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
    'Accept-Encoding': 'gzip',
    'User-Agent': 'Prometheus/2.45.0',
    'X-Prometheus-Scrape-Timeout-Seconds': str(INTERVAL_S),
}
OPENMETRICS = {'Accept': PROMETHEUS_HEADERS['Accept']}  # what Vigil renders for Prometheus
BLACKBOX_CONFIG = """modules:
  http_2xx:
    prober: http
    timeout: 2s
"""


# ---------------------------------------------------------------------------------------------
# The driver: a process of its own (python3 peers.py --drive ...)


def drive(exporter_port, target_port, n, interval_s, start, seconds, out):
    """Asks blackbox_exporter for target i's probe at start + i * interval / N in every interval
    until start + seconds; then writes [[due, answered, success], ...] (monotonic seconds) as JSON
    to `out`. `start` is the parent's clock (CLOCK_MONOTONIC is system-wide), so that our own
    start-up does not shorten the parent's warm-up: the probes it delays are sent at once."""
    exporter_port, target_port, n = int(exporter_port), int(target_port), int(n)
    interval_s, start, seconds = float(interval_s), float(start), float(seconds)
    paths = ['/probe?' + urllib.parse.urlencode({'target': b.target_url(target_port, i), 'module': 'http_2xx'})
             for i in range(n)]
    jobs, results = queue.Queue(), []
    workers = [threading.Thread(target=scrape_worker, args=(exporter_port, jobs, results), daemon=True)
               for _ in range(DRIVER_WORKERS)]
    for w in workers:
        w.start()
    k = 0
    while start + k * interval_s / n < start + seconds:
        due = start + k * interval_s / n
        time.sleep(max(0.0, due - time.monotonic()))
        jobs.put((due, paths[k % n]))
        k += 1
    for _ in workers:
        jobs.put(None)
    for w in workers:
        w.join(interval_s + 5)
    with open(out, 'w') as f:
        json.dump(results, f)
    return 0


def scrape_worker(port, jobs, results):
    """One keep-alive connection to the exporter; a failed request closes it and opens a new one."""
    conn = None
    while True:
        job = jobs.get()
        if job is None:
            return
        due, path = job
        ok = False
        try:
            if conn is None:
                conn = http.client.HTTPConnection(b.HOST, port, timeout=INTERVAL_S + 5)
            conn.request('GET', path, headers=PROMETHEUS_HEADERS)
            r = conn.getresponse()
            body = r.read()
            if r.getheader('Content-Encoding') == 'gzip':
                body = gzip.decompress(body)
            ok = r.status == 200 and re.search(rb'^probe_success 1$', body, re.M) is not None
        except (OSError, http.client.HTTPException):
            if conn is not None:
                conn.close()
            conn = None
        results.append((due, time.monotonic(), ok))  # list.append is atomic


# ---------------------------------------------------------------------------------------------
# The two servers


def per_probe(r, probes, failed):
    """Adds the probe counts and CPU per successful probe to a window's figures."""
    r['probes'] = probes
    r['failed'] = failed
    r['cpu_ms_per_probe'] = round(r['cpu_s'] / probes * 1000, 3) if probes else float('nan')
    return r


def run_vigil(n, target_port, warm_s, measure_s):
    port = b.free_port()
    vigil = b.vigil('vigil-%d' % n, b.http_checks(port, target_port, n, INTERVAL_S, SHUTDOWN_TIMEOUT_S),
                    cpus=SERVER_CPU)
    try:
        b.wait_http(port, '/health/startup', timeout=180, proc=vigil, poll=0.2)
        before, mid0, _ = b.timed_scrape(port)
        warm = scrape_every_interval(port, warm_s)
        r, _ = b.window(vigil, n, target_port, 0, measure_s, INTERVAL_S, JITTER_MS)
        # Prometheus' scrape, right after the window: its CPU, less what the checks cost meanwhile.
        cpu0, t0 = b.cpu_seconds(vigil.pid), time.monotonic()
        after, mid1, _ = b.timed_scrape(port, headers=OPENMETRICS)
        cpu1, t1 = b.cpu_seconds(vigil.pid), time.monotonic()
        probes = 'vigil_check_probes_total'
        # Vigil serves a body again for 9 x its rendering time, each format its own (MetricsRenderer):
        # one that comes back unchanged was not rendered for us, and would give neither figure.
        if b.metric_sum(after, probes) == b.metric_sum(warm, probes):
            raise b.BenchError('Vigil answered /metrics with a body rendered before the window (a rendering '
                               'took over %.1fs): the machine is too busy' % (measure_s / 9))

        def count(outcome):
            """Vigil's own count in the window: its rate between the scrapes' midpoints (as checkcost)."""
            moved = b.metric_sum(after, probes, outcome=outcome) - b.metric_sum(before, probes, outcome=outcome)
            return round(moved / (mid1 - mid0) * r['seconds'])

        # The window's probes are the target's count less the failures Vigil counted. Its own count
        # of successes is only a cross-check: the checks start together, so their probes come in
        # bunches once per interval, and a span that is not whole intervals has a bunch too many or
        # too few.
        failed = count('failure')
        per_probe(r, r['checks'] - failed, failed)
        if r['probes'] <= 0:
            raise b.BenchError('no probe of Vigil reached the target in the window; log %s' % vigil.log_path)
        r['vigil_own_ok'] = count('success')
        r['scrape_cpu_s'] = round(max(0.0, cpu1 - cpu0 - r['cores_busy'] * (t1 - t0)), 3)
        # Prometheus scrapes Vigil once per interval to get these results: that scrape's share.
        scrapes = r['seconds'] / INTERVAL_S
        r['cpu_ms_per_probe_with_scrape'] = round((r['cpu_s'] + scrapes * r['scrape_cpu_s']) / r['probes'] * 1000, 3)
        r['rss_mib'] = round(b.rss_mib(vigil.pid), 1)
        return r
    finally:
        vigil.stop()


def scrape_every_interval(port, seconds):
    """Scrapes /metrics as Prometheus would (OpenMetrics, once per interval) for `seconds`, so that
    the JIT has compiled that path before the scrape whose CPU is measured (the second rendering
    still took 0.14 s of CPU at N = 100); returns the last scrape."""
    metrics = None
    for _ in range(max(1, seconds // INTERVAL_S)):
        due = time.monotonic() + INTERVAL_S
        metrics = b.scrape(port, headers=OPENMETRICS)
        time.sleep(max(0.0, due - time.monotonic()))
    return metrics


def blackbox_config():
    path = os.path.join(b.tempdir(), 'blackbox.yml')
    with open(path, 'w') as f:
        f.write(BLACKBOX_CONFIG)
    return path


def run_blackbox(n, target_port, warm_s, measure_s):
    port = b.free_port()
    exporter = b.Proc('blackbox-%d' % n, [b.need_blackbox(), '--config.file=' + blackbox_config(),
                                          '--web.listen-address=%s:%d' % (b.HOST, port)], cpus=SERVER_CPU)
    driver = None
    try:
        b.wait_http(port, '/', proc=exporter)
        out = os.path.join(b.tempdir(), 'driver-%d.json' % n)
        seconds = warm_s + measure_s + DRIVER_TAIL_S
        # The driver's clock starts now, so a warm-up over one interval has probed every target
        # before the window opens, however long the driver takes to start.
        driver = b.Proc('driver-%d' % n, [sys.executable, os.path.abspath(__file__), '--drive'] +
                        [str(a) for a in (port, target_port, n, INTERVAL_S, time.monotonic(), seconds, out)],
                        cpus=TARGET_CPU)
        r, (t0, t1) = b.window(exporter, n, target_port, warm_s, measure_s, INTERVAL_S, JITTER_MS)
        if driver.wait(seconds + INTERVAL_S + 10) != 0:
            raise b.BenchError('the driver failed; log %s:\n%s' % (driver.log_path, driver.log_tail()))
        with open(out) as f:
            answers = [(due, done, ok) for due, done, ok in json.load(f) if t0 <= done < t1]
        ok = sum(1 for _, _, good in answers if good)
        per_probe(r, ok, len(answers) - ok)
        waits_ms = [(done - due) * 1000 for due, done, _ in answers]
        r['answer_p50_ms'] = round(b.percentile(waits_ms, 50), 2)
        r['answer_p99_ms'] = round(b.percentile(waits_ms, 99), 2)
        r['rss_mib'] = round(b.rss_mib(exporter.pid), 1)
        return r
    finally:
        if driver is not None:
            driver.stop()
        exporter.stop()


# ---------------------------------------------------------------------------------------------
# Figures


def show(n, who, r):
    extra = ('(own count %d ok; with one /metrics scrape per interval, %.0f ms of CPU each: %.3f ms/probe)'
             % (r['vigil_own_ok'], r['scrape_cpu_s'] * 1000, r['cpu_ms_per_probe_with_scrape']) if who == 'vigil'
             else '(answer p50 %.1f ms, p99 %.1f ms after due)' % (r['answer_p50_ms'], r['answer_p99_ms']))
    print('  N=%-5d %-8s %6d probes ok, %d failed, in %4.1fs (target saw %d of %d due)  CPU %.2f s  %.3f ms/probe %s  '
          '%.3f cores  interval error p99 %.0f ms  target connections open %d  RSS %.0f MiB'
          % (n, who, r['probes'], r['failed'], r['seconds'], r['checks'], r['expected'], r['cpu_s'],
             r['cpu_ms_per_probe'], extra, r['cores_busy'], r['interval_err_p99_ms'], r['connections'], r['rss_mib']),
          flush=True)


def fit(runs):
    """Per server, CPU = fixed cores + probes/s x marginal ms, through the two N: (fixed, marginal)."""
    (n0, a), (n1, z) = sorted(runs.items())[0], sorted(runs.items())[-1]
    out = {}
    for who in ('vigil', 'blackbox'):
        r0, r1 = a[who], z[who]
        rate0, rate1 = r0['probes'] / r0['seconds'], r1['probes'] / r1['seconds']
        marginal = (r1['cores_busy'] - r0['cores_busy']) / (rate1 - rate0)
        out[who] = {'fixed_cores': round(r0['cores_busy'] - marginal * rate0, 4),
                    'marginal_ms_per_probe': round(marginal * 1000, 3)}
    return out


def loadavg():
    """The 1-minute load average: the machine may be shared, and CPU per probe grows under contention."""
    with open('/proc/loadavg') as f:
        return float(f.read().split()[0])


def run(quick):
    b.need_blackbox()
    sizes = [100] if quick else [100, 1000]
    # The same window for both servers. Vigil's warm-up is for the JIT, which still compiles a
    # minute after start (at N = 100, 200 to 400 compilations per 10 s between 20 and 70 s; 0.35
    # cores in the first 5 s, 0.1 to 0.2 until 40 s, then 0.05 to 0.1); blackbox_exporter's is one
    # interval, so that every target was probed before the window.
    vigil_warm_s, measure_s = (10, 10) if quick else (25, 15)  # full: about 3 minutes in all
    blackbox_warm_s = INTERVAL_S + 1
    target, target_port = b.target_server(max(sizes), cpus=TARGET_CPU)
    result = {'interval_s': INTERVAL_S, 'measure_s': measure_s, 'vigil_warm_s': vigil_warm_s,
              'blackbox_warm_s': blackbox_warm_s,
              'pinning': 'Vigil or blackbox_exporter on CPU %d, target and driver on CPU %d' % (SERVER_CPU, TARGET_CPU),
              'loadavg': [loadavg()], 'runs': {}}
    try:
        for n in sizes:
            print('N=%d: Vigil (%ds warm-up), then blackbox_exporter (%ds), each a %ds window'
                  % (n, vigil_warm_s, blackbox_warm_s, measure_s), flush=True)
            v = run_vigil(n, target_port, vigil_warm_s, measure_s)
            show(n, 'vigil', v)
            bb = run_blackbox(n, target_port, blackbox_warm_s, measure_s)
            show(n, 'blackbox', bb)
            result['runs'][n] = {'vigil': v, 'blackbox': bb}
        target.check_alive()
    finally:
        target.stop()
    result['loadavg'].append(loadavg())
    if len(sizes) > 1:
        result['fit'] = fit(result['runs'])

    print('\npeers: CPU per successful probe, N http targets probed every %ds (%s; %ds window after a warm-up of '
          '%ds for Vigil, %ds for blackbox_exporter; load average %.1f at the start, %.1f at the end)'
          % (INTERVAL_S, result['pinning'], measure_s, vigil_warm_s, blackbox_warm_s, result['loadavg'][0],
             result['loadavg'][1]))
    for n, runs in result['runs'].items():
        for who in ('vigil', 'blackbox'):
            show(n, who, runs[who])
    for n, runs in result['runs'].items():
        v, bb = runs['vigil'], runs['blackbox']
        print('ratio blackbox/vigil N=%d cpu-per-probe %.2f (against Vigil with its /metrics scrape: %.2f)'
              % (n, bb['cpu_ms_per_probe'] / v['cpu_ms_per_probe'],
                 bb['cpu_ms_per_probe'] / v['cpu_ms_per_probe_with_scrape']))
    for who, f in result.get('fit', {}).items():
        print('fit %s: fixed %.4f cores + %.3f ms per probe' % (who, f['fixed_cores'], f['marginal_ms_per_probe']))
    return result


if __name__ == '__main__':
    if sys.argv[1:2] == ['--drive']:
        sys.exit(drive(*sys.argv[2:]))
    sys.exit(b.main('peers', run, limits=(90, 240)))
