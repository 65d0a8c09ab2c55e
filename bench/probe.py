#!/usr/bin/env python3
"""Probe throughput and latency: wrk against /health/ready and /health of a running Vigil with 4
checks UP (http, tcp, redis, postgres), and against RawServer (a bare Vert.x server answering a
constant body: the limit), in turns, with the same wrk threads and connections, 3 rounds.

Both servers run pinned to CPU 0 and wrk to CPU 1 (taskset), so the load generator never takes the
server's core. Prints requests/s, p50 and p99 per target and round, the medians, and the ratio
Vigil / raw. `--quick` runs short rounds.
"""
import sys

import benchlib as b

ROUNDS = 3
SERVER_CPU = 0
WRK_CPU = 1
THREADS = 1
LOADED = 16  # connections under load
ENDPOINTS = ('/health/ready', '/health')


def series(targets, connections, seconds, rounds):
    """Runs wrk against every target in turn, `rounds` times; returns {label: [wrk result...]}."""
    out = {label: [] for label, _, _ in targets}
    width = max([22] + [len(label) for label in out])
    for r in range(rounds):
        for label, port, path in targets:
            res = b.wrk(port, path, THREADS, connections, seconds, cpus=WRK_CPU)
            if res['non2xx'] or any(res['errors'].values()):
                raise b.BenchError('%s answered %d non-2xx and %s socket errors: every dependency should be UP'
                                   % (label, res['non2xx'], res['errors']))
            out[label].append(res)
            print('  round %d  %-*s c=%-3d %9.0f req/s  p50 %7.3f ms  p99 %7.3f ms'
                  % (r + 1, width, label, connections, res['rps'], res['p50'], res['p99']), flush=True)
    return out


def summarize(results):
    """Per target: the median of the rounds, and each round's figures."""
    return {label: dict({k: b.median([r[k] for r in runs]) for k in ('rps', 'p50', 'p99')},
                        rounds=[{k: r[k] for k in ('rps', 'p50', 'p99')} for r in runs])
            for label, runs in results.items()}


def run(quick):
    b.need_servers()
    b.need_wrk()
    seconds = 2 if quick else 10
    raw_port, vigil_port = b.free_port(), b.free_port()
    raw = b.java('raw-server', 'RawServer', [raw_port], cpus=SERVER_CPU)
    vigil = b.vigil('vigil-probe', b.four_checks(vigil_port, raw_port), cpus=SERVER_CPU)
    b.wait_http(raw_port, '/', proc=raw)
    b.wait_http(vigil_port, '/health/ready', timeout=60, proc=vigil)
    b.wait_http(vigil_port, '/health', timeout=10, proc=vigil)
    targets = [('vigil ' + p, vigil_port, p) for p in ENDPOINTS] + [('raw', raw_port, '/health')]

    warm = seconds if quick else seconds + 5
    print('warm-up (JIT): %ds per target, not counted' % warm, flush=True)
    series(targets, LOADED, warm, 1)
    result = {'connections': LOADED, 'threads': THREADS, 'seconds': seconds, 'rounds': ROUNDS,
              'pinning': 'servers on CPU %d, wrk on CPU %d' % (SERVER_CPU, WRK_CPU)}
    print('measured: %d rounds of %ds, in turns' % (ROUNDS, seconds), flush=True)
    result['loaded'] = summarize(series(targets, LOADED, seconds, ROUNDS))
    if not quick:
        print('one connection (what a single prober sees):', flush=True)
        result['single'] = summarize(series(targets, 1, 5, ROUNDS))
    vigil.check_alive()
    raw.check_alive()
    vigil.kill()  # its shutdown is measured by shutdown.py

    print('\nprobe throughput (median of %d rounds, wrk -t%d, %s)' % (ROUNDS, THREADS, result['pinning']))
    for kind, conns in (('loaded', LOADED), ('single', 1)):
        if kind not in result:
            continue
        for label, f in result[kind].items():
            print('  c=%-3d %-22s %9.0f req/s  p50 %7.3f ms  p99 %7.3f ms' % (conns, label, f['rps'], f['p50'], f['p99']))
    for kind, conns in (('loaded', LOADED), ('single', 1)):
        if kind not in result:
            continue
        raw_f = result[kind]['raw']
        for p in ENDPOINTS:
            f = result[kind]['vigil ' + p]
            print('ratio vigil/raw %s rps %.2f p50 %.2f p99 %.2f (c=%d)'
                  % (p, f['rps'] / raw_f['rps'], f['p50'] / raw_f['p50'], f['p99'] / raw_f['p99'], conns))
    return result


if __name__ == '__main__':
    sys.exit(b.main('probe', run, limits=(60, 300)))
