#!/usr/bin/env python3
"""Footprint: Vigil on the default config (conf/vigil.yaml, port and host from the environment; its
api and worker targets may be down, that is fine), started with the README's command
`java -jar target/vigil.jar` and no JVM flags, not pinned. We time process start -> /health/startup
200 (every check reported once), then measure RSS and heap after it has idled. The baseline is
RawServer (a bare Vert.x server), started and measured the same way: the JVM + Vert.x floor.

`--quick`: one start each, 5s idle; full: five starts each (startup median and max), 30s idle on
the first. A third run, `image`, is Vigil with docker/Dockerfile's JVM flags as the container gives
them (the compose file's 0.5 CPU and 384M: one active processor, MaxRAM 384m, so the serial
collector) and the class archive the image builds (docker/cds-archive.sh): what P6 bounds.
"""
import os
import sys
import time

import benchlib as b


def measure(name, start, path, idle_s, metrics):
    port = b.free_port()
    t0 = time.monotonic()
    proc = start(port)
    ready = b.wait_http(port, path, timeout=60, proc=proc, poll=0.005)
    r = {'startup_s': ready - t0}
    if idle_s:
        time.sleep(idle_s)
        proc.check_alive()
        r['rss_mib'] = b.rss_mib(proc.pid)
        if metrics:
            m = b.scrape(port)
            r['heap_mib'] = b.metric_sum(m, 'jvm_memory_used_bytes', area='heap') / 2**20
            r['threads'] = b.metric_sum(m, 'jvm_threads_live_threads')
        else:
            r['heap_mib'] = b.heap_used_mib(proc.pid)
    proc.kill()  # its shutdown is measured by shutdown.py
    return r


def run(quick):
    b.need_servers()
    starts, idle_s = (1, 5) if quick else (5, 30)
    with open(os.path.join(b.ROOT, 'conf', 'vigil.yaml')) as f:
        default_config = f.read()

    def vigil(port):
        return b.vigil('vigil-default', default_config, env={'VIGIL_PORT': str(port), 'VIGIL_HOST': '127.0.0.1'})

    image_flags = b.image_jvm_flags()

    def image(port):
        return b.vigil('vigil-image', default_config, jvm_flags=image_flags,
                       env={'VIGIL_PORT': str(port), 'VIGIL_HOST': '127.0.0.1'})

    def raw(port):
        return b.java('raw-server', 'RawServer', [port])

    result = {'idle_s': idle_s, 'starts': starts}
    result['image_flags'] = image_flags
    for label, start, path, metrics in (('vigil', vigil, '/health/startup', True),
                                        ('image', image, '/health/startup', True), ('raw', raw, '/', False)):
        runs = [measure(label, start, path, idle_s if i == 0 else 0, metrics) for i in range(starts)]
        first = runs[0]
        startups = [r['startup_s'] for r in runs]
        result[label] = {'startup_median_s': b.median(startups), 'startup_max_s': max(startups),
                         'rss_mib': first['rss_mib'], 'heap_mib': first['heap_mib']}
        if 'threads' in first:
            result[label]['threads'] = first['threads']
        print('  %-6s start -> %s 200: %s s' % (label, path, ', '.join('%.2f' % s for s in startups)), flush=True)

    v, img, raw_r = result['vigil'], result['image'], result['raw']
    print('\nfootprint (java -jar, no JVM flags, %d cores, %d start%s each, RSS after %ds idle)'
          % (b.NCPU, starts, '' if starts == 1 else 's', idle_s))
    print('  vigil  default config (conf/vigil.yaml): start -> /health/startup 200 median %.2fs max %.2fs; '
          'RSS %.1f MiB; heap used %.1f MiB; %d threads'
          % (v['startup_median_s'], v['startup_max_s'], v['rss_mib'], v['heap_mib'], v.get('threads', 0)))
    print('  image  the same with the image\'s JVM flags (%s): start median %.2fs max %.2fs; RSS %.1f MiB; '
          'heap used %.1f MiB; %d threads'
          % (' '.join(f for f in image_flags if 'SharedArchiveFile' not in f and 'egd' not in f) + ', AppCDS',
             img['startup_median_s'], img['startup_max_s'], img['rss_mib'], img['heap_mib'], img.get('threads', 0)))
    print('  raw    RawServer: start -> first 200 median %.2fs max %.2fs; RSS %.1f MiB; heap used %.1f MiB'
          % (raw_r['startup_median_s'], raw_r['startup_max_s'], raw_r['rss_mib'], raw_r['heap_mib']))
    print('ratio vigil/raw startup %.2f rss %.2f' % (v['startup_median_s'] / raw_r['startup_median_s'],
                                                   v['rss_mib'] / raw_r['rss_mib']))
    print('bound P6 image RSS %.1f MiB (<= 100) start median %.2fs (< 1 s)' % (img['rss_mib'], img['startup_median_s']))
    return result


if __name__ == '__main__':
    sys.exit(b.main('footprint', run, limits=(60, 300)))
