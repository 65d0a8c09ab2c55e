#!/usr/bin/env python3
"""Prints the figures of the last run as the Markdown tables of docs/benchmarks.md.

    bench/report.py           from bench/out/*-full.json (after `bench/run`)
    bench/report.py --quick   from bench/out/*-quick.json
"""
import json
import os
import sys

import benchlib as b


def load(name, mode):
    path = os.path.join(b.OUT, '%s-%s.json' % (name, mode))
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def table(head, rows):
    out = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    out += ['| ' + ' | '.join(str(c) for c in row) + ' |' for row in rows]
    return '\n'.join(out)


def ratios(f, base, fmt='%.2f'):
    """req/s, p50 and p99 of `f` over `base`, as `a / b / c`."""
    return ' / '.join(fmt % (f[k] / base[k]) for k in ('rps', 'p50', 'p99'))


def wrk_rows(d, extra=lambda kind, label: ()):
    """A row per connection count and target of probe.py's series (labels `vigil /path`, `raw`):
    req/s, p50, p99 and the ratios to raw, then the cells `extra` gives."""
    rows = []
    for kind, conns in (('loaded', d['connections']), ('single', 1)):
        if kind not in d:
            continue
        raw = d[kind]['raw']
        for label, f in d[kind].items():
            who, _, path = label.partition(' ')
            rows.append((conns, 'raw' if label == 'raw' else '%s `%s`' % (who.capitalize(), path),
                         spread(f, 'rps', '%.0f'), spread(f, 'p50', '%.3f'), spread(f, 'p99', '%.3f'),
                         '' if label == 'raw' else ratios(f, raw)) + tuple(extra(kind, label)))
    return rows


def probe(d):
    return table(['connections', 'target', 'req/s', 'p50 ms', 'p99 ms', 'Vigil / raw: req/s, p50, p99'], wrk_rows(d))


def actuator(d):
    # Vigil's endpoint -> Actuator's that answers the same question.
    pairs = {'vigil /health': 'actuator /actuator/health',
             'vigil /health/ready': 'actuator /actuator/health/readiness'}

    def against_actuator(kind, label):
        return (ratios(d[kind][label], d[kind][pairs[label]], '%.3g') if label in pairs else '',)

    text = table(['connections', 'target', 'req/s', 'p50 ms', 'p99 ms', '/ raw: req/s, p50, p99',
                  'Vigil / Actuator: req/s, p50, p99'], wrk_rows(d, against_actuator))
    servers = d['servers']
    rows = [(who, '`%s`' % s['ready_path'], '%.2f' % s['startup_s'], '%.2f' % s['startup_cpu_s'], '%.0f' % s['rss_mib'])
            for who, s in (('Vigil (4 checks)', servers['vigil']), ('Spring Boot %s Actuator' % d['spring_boot'],
                                                                    servers['actuator']),
                           ('RawServer (bare Vert.x)', servers['raw']))]
    v, a = servers['vigil'], servers['actuator']
    rows.append(('ratio Vigil / Actuator', '', '%.3g' % (v['startup_s'] / a['startup_s']),
                 '%.3g' % (v['startup_cpu_s'] / a['startup_cpu_s']), '%.3g' % (v['rss_mib'] / a['rss_mib'])))
    return text + '\n\n' + table(['server', 'first 200 on', 'start -> first 200, s',
                                   'CPU-s to then', 'RSS after the run, MiB'], rows)


def spread(f, key, fmt):
    """The median, and the range of the rounds when there is one: `median (min-max)`."""
    values = [r[key] for r in f.get('rounds', [])]
    text = fmt % f[key]
    return text + (' (%s-%s)' % (fmt % min(values), fmt % max(values)) if len(values) > 1 else '')


def checkcost(d):
    rows = []
    for n, runs in d['runs'].items():
        v, base = runs['vigil'], runs['baseline']
        for who, r in (('Vigil', v), ('baseline', base)):
            rows.append(('{:,}'.format(int(n)), who, '{:,} of {:,} ({:.0f}%)'.format(
                r['checks'], r['expected'], 100.0 * r['checks'] / r['expected']),
                '%.3f' % r['cpu_per_1000'], '%.2f' % r['cores_busy'],
                '%.0f / %.0f' % (r['interval_err_p50_ms'], r['interval_err_p99_ms']),
                '%.0f' % r['heap_mib'], '%.0f' % r['live_heap_mib'], '%.0f' % r['rss_mib'],
                '%.1f' % (v['cpu_per_1000'] / base['cpu_per_1000']) if who == 'Vigil' else ''))
    main = table(['N', 'who', 'checks done in the window (of due)', 'CPU-s / 1,000 checks', 'cores busy',
                  'interval error p50 / p99 ms', 'heap used at the end, MiB', 'live heap MiB', 'RSS MiB',
                  'CPU ratio Vigil / baseline'], rows)
    extra = table(['N', 'Vigil probes/s, own count (asked)', 'failed probes', 'late beyond jitter',
                   'check transitions, by new state', '/health/ready once a second: answers; p50 / max ms',
                   'start -> /health/startup', 'one /metrics scrape', 'SIGTERM -> exit (status)'],
                  [('{:,}'.format(int(n)), '%.0f (%.0f)' % (v['vigil_probes_per_s'], int(n) / d['interval_s']),
                    counts(v['vigil_failed']), '%.1f%%' % (100 * v['late_over_jitter']), counts(v['transitions']),
                    '%s; %.1f / %.1f' % (counts(v['ready_codes']), v['ready_p50_ms'], v['ready_max_ms']),
                    '%.1f s' % v['startup_s'], '%.2f s' % v['scrape_s'], '%.1f s (%s)' % (v['exit_s'], v['exit_status']))
                   for n, v in ((n, r['vigil']) for n, r in d['runs'].items())])
    hot = [(n, r['vigil']['hot']) for n, r in d['runs'].items() if r['vigil'].get('hot')]
    text = main + '\n\n' + extra
    for n, frames in hot:
        text += '\n\nN = {:,}: first Vigil frame on busy event-loop stacks, 15 thread dumps: '.format(int(n)) + \
            ', '.join('`%s` x%d' % (f.replace('io.vigil.', ''), c) for f, c in frames)
    return text


def counts(c):
    """{'timeout': 3, 'dns': 1} as `3 timeout, 1 dns`; `0` when empty."""
    return ', '.join('{:,} {}'.format(v, k) for k, v in sorted(c.items(), key=lambda kv: -kv[1])) or '0'


def detect(d):
    bounds = d['bounds']
    rows = []
    for mode, s in d['summary'].items():
        rows.append((mode, '%.2f (%.2f)' % tuple(s['ready_503_s']), '%.2f (%.2f)' % tuple(s['down_event_s']),
                     '%.1f + %.1f jitter' % (bounds['detect_s'], 3 * bounds['jitter_per_probe_s']),
                     '%.2f (%.2f)' % tuple(s['ready_200_s']), '%.2f (%.2f)' % tuple(s['up_event_s']),
                     '%.1f + %.1f jitter' % (bounds['recover_s'], bounds['jitter_per_probe_s'])))
    return table(['fault', 'fault -> ready 503, s: median (max)', 'fault -> event DOWN', 'bound, s',
                  'heal -> ready 200', 'heal -> event UP', 'bound, s'], rows)


def footprint(d):
    rows = []
    for label, name in (('vigil', 'Vigil, conf/vigil.yaml'), ('image', "Vigil, the image's JVM flags + AppCDS"),
                        ('raw', 'RawServer (bare Vert.x)')):
        f = d.get(label)
        if f is None:  # a run from before the image variant
            continue
        rows.append((name, '%.2f (%.2f)' % (f['startup_median_s'], f['startup_max_s']), '%.0f' % f['rss_mib'],
                     '%.0f' % f['heap_mib']))
    rows.append(('ratio Vigil / raw', '%.2f' % (d['vigil']['startup_median_s'] / d['raw']['startup_median_s']),
                 '%.2f' % (d['vigil']['rss_mib'] / d['raw']['rss_mib']), ''))
    return table(['program', 'start -> ready, s: median (max) of %d' % d['starts'],
                  'RSS after %ds idle, MiB' % d['idle_s'], 'heap used, MiB'], rows)


def shutdown(d):
    rows = []
    for i, r in enumerate(d['runs'], 1):
        c = r['clients']
        rows.append((i, '%.3f' % r['ready_503_s'], '%.3f' % r['refusing_s'], '%.2f' % r['exit_s'], r['exit_status'],
                     '{:,}'.format(r['wrk']['requests']), r['wrk']['unanswered'], r['wrk']['non2xx'],
                     '%d of %s' % (len(c['failed']), '{:,}'.format(c['ok'] + len(c['failed']))),
                     '{:,}'.format(r['wrk']['refused_reconnects'])))
    return table(['run', 'SIGTERM -> ready 503, s', '-> listener closed, s', '-> exit, s', 'status',
                  'wrk requests', 'wrk unanswered', 'non-2xx', 'own clients failed', 'wrk refused reconnects'], rows)


def peers(d):
    rows = []
    for n, runs in d['runs'].items():
        v, bb = runs['vigil'], runs['blackbox']
        for who, r in (('Vigil', v), ('blackbox_exporter', bb)):
            rows.append(('{:,}'.format(int(n)), who, '{:,} ({:,})'.format(r['probes'], r['failed']),
                         '{:,} of {:,}'.format(r['checks'], r['expected']), '%.2f' % r['cpu_s'],
                         '%.3f' % r['cpu_ms_per_probe'],
                         '%.3f (scrape %.0f ms)' % (r['cpu_ms_per_probe_with_scrape'], r['scrape_cpu_s'] * 1000)
                         if who == 'Vigil' else '', '%.3f' % r['cores_busy'], '%.0f' % r['interval_err_p99_ms'],
                         '%.0f' % r['rss_mib'],
                         '%.2f (%.2f)' % (bb['cpu_ms_per_probe'] / v['cpu_ms_per_probe'],
                                          bb['cpu_ms_per_probe'] / v['cpu_ms_per_probe_with_scrape'])
                         if who != 'Vigil' else ''))
    text = table(['N', 'server', 'probes ok in the window (failed)', 'requests at the target (due)', 'CPU-s',
                  'CPU ms / probe', 'Vigil with one /metrics scrape per interval, ms / probe', 'cores busy',
                  'interval error p99 ms', 'RSS MiB', 'CPU ratio blackbox / Vigil (with scrape)'], rows)
    if d.get('fit'):
        text += '\n\n' + table(['server', 'fixed cost, cores', 'marginal CPU ms / probe'],
                                [(who, '%.4f' % f['fixed_cores'], '%.3f' % f['marginal_ms_per_probe'])
                                 for who, f in d['fit'].items()])
    return text


def scale(d):
    rows = []
    for r in d['runs']:
        rows.append(('{:,}'.format(r['n']), '{:,} of {:,}'.format(r['checks'], r['expected']),
                     '%.3f' % r['cpu_ms_per_check'], '%.3f' % r['cores_busy'],
                     '%.1f / %.2f' % (r['live_heap_mib'], r['live_heap_kib_per_check']),
                     '%.1f / %.1f' % (r['interval_err_p50_ms'], r['interval_err_p99_ms']),
                     '%.2f s (%.1f MiB)' % (r['scrape_s'], r['scrape_mib']), '%.1f s' % r['startup_s'],
                     '%.0f' % r['rss_mib'],
                     '' if r.get('marginal_heap_kib_per_check') is None else
                     '%s ms, %.2f KiB, %.3f ms' % (r['marginal_cpu_ms_per_check'], r['marginal_heap_kib_per_check'],
                                                   r['marginal_scrape_ms_per_check'])))
    return table(['N', 'checks done (due)', 'CPU ms / check', 'cores busy', 'live heap MiB / KiB per check',
                  'interval error p50 / p99 ms', 'one /metrics scrape', 'start -> /health/startup', 'RSS MiB',
                  'per check added since the previous N: CPU, live heap, /metrics'], rows)


def main():
    mode = 'quick' if '--quick' in sys.argv else 'full'
    m = load('machine', mode)
    if m:
        print('Machine: %(cores)d cores, %(cpu)s; %(java)s; Linux %(kernel)s; %(date)s; `%(command)s`\n' % m)
    for name, render in (('probe', probe), ('checkcost', checkcost), ('detect', detect), ('footprint', footprint),
                         ('shutdown', shutdown), ('peers', peers), ('actuator', actuator), ('scale', scale)):
        d = load(name, mode)
        print('### %s\n' % name)
        print(render(d) if d else '(no %s-%s.json in bench/out)' % (name, mode))
        print()
    return 0


if __name__ == '__main__':
    sys.exit(main())
