#!/usr/bin/env python3
"""Detection time: Vigil watches Redis through a TCP proxy (benchlib.TcpProxy). The proxy refuses
connections, or blackholes them (accepts, never answers); we time, from the fault, how long until
/health/ready answers 503 and until the `vigil.status.changed` event for redis (to DOWN) arrives on
/events; then heal the proxy and time the way back to 200 and to the event to UP.

Bounds (interval 2s, timeout 1s, failure-threshold 3, success-threshold 1):
  detection <= failure-threshold x interval + timeout, recovery <= success-threshold x interval + timeout,
each plus the scheduler's jitter (+-5% of the interval per probe). The fault lands at a random phase
of the probe cycle. `--quick`: one trial per fault; full: five.
"""
import random
import sys
import time

import benchlib as b

INTERVAL = 2.0
TIMEOUT = 1.0
FAILURES = 3
SUCCESSES = 1
JITTER = min(0.25, INTERVAL / 20)
DETECT_BOUND = FAILURES * INTERVAL + TIMEOUT
RECOVER_BOUND = SUCCESSES * INTERVAL + TIMEOUT
POLL = 0.01


def config(port, proxy_port):
    return f"""
server: {{ host: 127.0.0.1, port: {port} }}
checks:
  redis:
    type: redis
    uri: "redis://127.0.0.1:{proxy_port}"
    interval: {int(INTERVAL * 1000)}ms
    timeout: {int(TIMEOUT * 1000)}ms
    failure-threshold: {FAILURES}
    success-threshold: {SUCCESSES}
"""


def until_status(port, status, since, limit, proc):
    """Seconds from `since` until /health/ready answers `status` (polled every 10 ms)."""
    deadline = since + limit
    while time.monotonic() < deadline:
        try:
            code, _ = b.http_get('/health/ready', port, timeout=1.0)
            if code == status:
                return time.monotonic() - since
        except OSError:
            proc.check_alive()
        time.sleep(POLL)
    raise b.BenchError('/health/ready did not answer %d within %.0fs of the change' % (status, limit))


def event_after(events, since, to, limit):
    at = events.wait_for(lambda name, d: name == 'status' and d.get('check') == 'redis' and d.get('to') == to,
                         since, limit)
    if at is None:
        broken = ' (the /events reader stopped: %s)' % events.error if events.error else ''
        raise b.BenchError('no vigil.status.changed event for redis to %s within %.0fs%s' % (to, limit, broken))
    return at - since


def trial(mode, port, proxy, events, proc):
    time.sleep(random.uniform(0, INTERVAL))  # a random phase of the probe cycle
    fault = time.monotonic()
    proxy.switch(mode)
    ready_503 = until_status(port, 503, fault, DETECT_BOUND + 5, proc)
    down_event = event_after(events, fault, 'DOWN', 5)
    time.sleep(random.uniform(0, INTERVAL))
    heal = time.monotonic()
    proxy.switch('pass')
    ready_200 = until_status(port, 200, heal, RECOVER_BOUND + 5, proc)
    up_event = event_after(events, heal, 'UP', 5)
    r = {'ready_503_s': ready_503, 'down_event_s': down_event, 'ready_200_s': ready_200, 'up_event_s': up_event}
    print('  %-9s  fault -> 503 %5.2fs, event DOWN %5.2fs   heal -> 200 %5.2fs, event UP %5.2fs'
          % (mode, ready_503, down_event, ready_200, up_event), flush=True)
    return r


def run(quick):
    b.need_servers()
    trials = 1 if quick else 5
    proxy = b.TcpProxy(b.REDIS)
    port = b.free_port()
    vigil = b.vigil('vigil-detect', config(port, proxy.port))
    events = None
    try:
        b.wait_http(port, '/health/ready', timeout=60, proc=vigil)
        events = b.EventStream(port)
        result = {'bounds': {'detect_s': DETECT_BOUND, 'recover_s': RECOVER_BOUND, 'jitter_per_probe_s': JITTER},
                  'config': {'interval_s': INTERVAL, 'timeout_s': TIMEOUT, 'failure_threshold': FAILURES,
                             'success_threshold': SUCCESSES}, 'trials': {}}
        for mode in ('refuse', 'blackhole'):
            result['trials'][mode] = [trial(mode, port, proxy, events, vigil) for _ in range(trials)]
    finally:
        if events:
            events.close()
        proxy.close()

    print('\ndetection (redis through a TCP proxy; interval %.0fs, timeout %.0fs, failure-threshold %d, '
          'success-threshold %d; %d trial%s per fault, poll every %d ms)'
          % (INTERVAL, TIMEOUT, FAILURES, SUCCESSES, trials, '' if trials == 1 else 's', POLL * 1000))
    summary = {}
    for mode, runs in result['trials'].items():
        s = {k: (b.median([r[k] for r in runs]), max(r[k] for r in runs)) for k in runs[0]}
        summary[mode] = s
        print('  %-9s fault -> 503 median %.2fs max %.2fs, event %.2fs max %.2fs (bound %.1fs + jitter %.1fs)'
              % (mode, s['ready_503_s'][0], s['ready_503_s'][1], s['down_event_s'][0], s['down_event_s'][1],
                 DETECT_BOUND, FAILURES * JITTER))
        print('  %-9s heal -> 200 median %.2fs max %.2fs, event %.2fs max %.2fs (bound %.1fs + jitter %.1fs)'
              % (mode, s['ready_200_s'][0], s['ready_200_s'][1], s['up_event_s'][0], s['up_event_s'][1],
                 RECOVER_BOUND, SUCCESSES * JITTER))
    for mode, s in summary.items():
        print('ratio detection/bound %s 503 %.2f event %.2f recovery %.2f'
              % (mode, s['ready_503_s'][1] / DETECT_BOUND, s['down_event_s'][1] / DETECT_BOUND,
                 s['ready_200_s'][1] / RECOVER_BOUND))
    result['summary'] = summary
    return result


if __name__ == '__main__':
    sys.exit(b.main('detect', run, limits=(60, 300)))
