#!/usr/bin/env python3
"""Spring Boot Actuator as a peer: wrk against the health endpoints of Vigil (4 checks UP: http,
tcp, redis, postgres) and of a Spring Boot 3.5 app whose Actuator has the redis (Lettuce) and db
(PostgreSQL over HikariCP) indicators on the same Redis and PostgreSQL (bench/actuator/), and
against RawServer (a bare Vert.x server answering a constant body: the limit), in turns, with
probe.py's wrk threads, connections, warm-up and rounds:

    Vigil /health              the report of every check       Actuator /actuator/health
    Vigil /health/ready        readiness, dependencies in it   Actuator /actuator/health/readiness
                                                               (group: readinessState, redis, db)

Every server runs pinned to CPU 0 and wrk to CPU 1 (taskset), as in probe.py. Before measuring,
each endpoint must answer 200 with its dependencies UP. Prints requests/s, p50 and p99 per target
and round, the medians, the ratios Vigil / Actuator and each / raw, and per server the time from
process start to its first 200 with every dependency UP, and its RSS after the run.

Builds bench/actuator/target/actuator-peer.jar first when it is missing or older than its sources
(./mvnw -q -f bench/actuator/pom.xml package -DskipTests; the first build downloads Spring Boot).
`--quick` runs one round of 1 s per target and no warm-up: 40 to 47 s here, most of it Spring's
start on one core; its figures only show that everything runs.
"""
import json
import os
import re
import sys

import benchlib as b
import probe

# (label, path, components that must be UP in the JSON); Vigil's /health/ready answers
# {"status":"UP"} only, its 200 meaning every check of the readiness group is UP.
VIGIL = (('vigil /health', '/health', ('api', 'pg-port', 'redis', 'postgres')),
         ('vigil /health/ready', '/health/ready', ()))
ACTUATOR = (('actuator /actuator/health', '/actuator/health', ('readinessState', 'redis', 'db')),
            ('actuator /actuator/health/readiness', '/actuator/health/readiness', ('readinessState', 'redis', 'db')))
RAW = (('raw', '/health', ()),)
# What is compared: (name in the ratio lines, Vigil's label, Actuator's label).
PAIRS = (('/health', VIGIL[0][0], ACTUATOR[0][0]), ('readiness', VIGIL[1][0], ACTUATOR[1][0]))
START_TIMEOUT_S = 120  # Spring on one busy core took 17 s here


def spring_boot_version():
    with open(os.path.join(b.ACTUATOR, 'pom.xml')) as f:
        return re.search(r'spring-boot-starter-parent</artifactId>.*?<version>([^<]+)</version>', f.read(), re.S).group(1)


def startup(name, proc, port, path):
    """Waits for the first 200 on `path` of a server just started; returns its start-up: seconds
    from process start, and the CPU seconds it used meanwhile."""
    ready = b.wait_http(port, path, timeout=START_TIMEOUT_S, proc=proc)
    s = {'ready_path': path, 'startup_s': round(ready - proc.started, 2),
         'startup_cpu_s': round(b.cpu_seconds(proc.pid), 2)}
    print('  %-8s start -> %s 200: %.2f s (%.2f s of CPU)' % (name, path, s['startup_s'], s['startup_cpu_s']),
          flush=True)
    return s


def expect_up(label, port, path, components):
    """GET path must answer 200 with JSON status UP and each of `components` UP, in Actuator's
    form ({"components": {name: {"status": ...}}}) or MicroProfile's ({"checks": [{"name", "status"}]})."""
    code, body = b.http_get(path, port)
    try:
        doc = json.loads(body)
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        doc = {}
    found = {n: c.get('status') for n, c in doc.get('components', {}).items()}
    found.update({c.get('name'): c.get('status') for c in doc.get('checks', [])})
    down = ['%s %s' % (n, found.get(n, 'missing')) for n in components if found.get(n) != 'UP']
    if code != 200 or doc.get('status') != 'UP' or down:
        raise b.BenchError('%s answered %d%s, where it should answer 200 with status UP (Redis on %s:%d and '
                           'PostgreSQL on %s:%d UP); body: %s'
                           % (label, code, ' (not UP: %s)' % ', '.join(down) if down else '', b.REDIS[0], b.REDIS[1],
                              b.POSTGRES[0], b.POSTGRES[1], body[:500].decode(errors='replace')))


def ratio(a, z):
    # Three significant digits: Vigil / Actuator spans 0.01 to 100.
    return 'rps %.3g p50 %.3g p99 %.3g' % (a['rps'] / z['rps'], a['p50'] / z['p50'], a['p99'] / z['p99'])


def run(quick):
    b.need_servers()
    b.need_wrk()
    jar = b.actuator_jar()
    # quick: one round of 1 s, no warm-up: 5 s of wrk beside Spring's start (17-19 s of CPU on one
    # core), so that bench/run --quick stays near its 3 minutes; a smoke test, not figures. full: probe.py's.
    seconds, warm, rounds = (1, 0, 1) if quick else (10, 15, probe.ROUNDS)
    cpu = probe.SERVER_CPU
    raw_port, vigil_port, actuator_port = b.free_port(), b.free_port(), b.free_port()
    # One after the other, so that each start-up has CPU 0 to itself (the others idle); the raw
    # server first, as Vigil's http check probes it.
    print('start-up, each alone on CPU %d:' % cpu, flush=True)
    raw = b.java('raw-server', 'RawServer', [raw_port], cpus=cpu)
    raw_start = startup('raw', raw, raw_port, '/')
    vigil = b.vigil('vigil-actuator', b.four_checks(vigil_port, raw_port), cpus=cpu)
    vigil_start = startup('vigil', vigil, vigil_port, VIGIL[1][1])
    actuator = b.java_jar('actuator', jar, ['--server.port=%d' % actuator_port], cpus=cpu)
    actuator_start = startup('actuator', actuator, actuator_port, ACTUATOR[1][1])
    servers = ((vigil, vigil_port, VIGIL), (actuator, actuator_port, ACTUATOR), (raw, raw_port, RAW))
    for _, port, endpoints in servers:
        for label, path, components in endpoints:
            expect_up(label, port, path, components)
    targets = [(label, port, path) for _, port, endpoints in servers for label, path, _ in endpoints]

    if warm:
        print('warm-up (JIT): %ds per target, not counted' % warm, flush=True)
        probe.series(targets, probe.LOADED, warm, 1)
    result = {'connections': probe.LOADED, 'threads': probe.THREADS, 'seconds': seconds, 'rounds': rounds,
              'warm_s': warm, 'spring_boot': spring_boot_version(),
              'pinning': 'servers on CPU %d, wrk on CPU %d' % (cpu, probe.WRK_CPU)}
    print('measured: %d round%s of %ds, in turns' % (rounds, '' if rounds == 1 else 's', seconds), flush=True)
    result['loaded'] = probe.summarize(probe.series(targets, probe.LOADED, seconds, rounds))
    if not quick:
        print('one connection (what a single prober sees):', flush=True)
        result['single'] = probe.summarize(probe.series(targets, 1, 5, rounds))
    result['servers'] = {}
    for (proc, _, _), name, started in zip(servers, ('vigil', 'actuator', 'raw'),
                                           (vigil_start, actuator_start, raw_start)):
        proc.check_alive()
        result['servers'][name] = dict(started, rss_mib=round(b.rss_mib(proc.pid), 1))
    for proc, _, _ in servers:
        proc.kill()  # their shutdown is not what is measured

    print('\nactuator: health endpoints under load (median of %d round%s of %ds after %ds of warm-up, wrk -t%d, %s)'
          % (rounds, '' if rounds == 1 else 's', seconds, warm, probe.THREADS, result['pinning']))
    for kind, conns in (('loaded', probe.LOADED), ('single', 1)):
        for label, f in result.get(kind, {}).items():
            print('  c=%-3d %-35s %9.0f req/s  p50 %7.3f ms  p99 %7.3f ms'
                  % (conns, label, f['rps'], f['p50'], f['p99']))
    for name, s in result['servers'].items():
        print('  %-8s start -> first 200 on %s %.2f s, %.2f s of CPU; RSS after the run %.0f MiB'
              % (name, s['ready_path'], s['startup_s'], s['startup_cpu_s'], s['rss_mib']))
    for kind, conns in (('loaded', probe.LOADED), ('single', 1)):
        if kind not in result:
            continue
        f = result[kind]
        for name, v, a in PAIRS:
            print('ratio vigil/actuator %s %s (c=%d)' % (name, ratio(f[v], f[a]), conns))
        for label in [v for _, v, _ in PAIRS] + [a for _, _, a in PAIRS]:
            who, path = label.split(' ', 1)
            print('ratio %s/raw %s %s (c=%d)' % (who, path, ratio(f[label], f['raw']), conns))
    v, a = result['servers']['vigil'], result['servers']['actuator']
    print('ratio vigil/actuator startup %.3g rss %.3g' % (v['startup_s'] / a['startup_s'], v['rss_mib'] / a['rss_mib']))
    return result


if __name__ == '__main__':
    try:
        b.actuator_jar()  # before the time limit starts: the first build downloads Spring Boot
    except b.BenchError as e:
        print('actuator: FAILED: %s' % e, file=sys.stderr)
        sys.exit(1)
    sys.exit(b.main('actuator', run, limits=(75, 480)))
