#!/usr/bin/env python3
"""Shutdown under load: wrk (CPU 1) keeps /health/live busy on Vigil (CPU 0; 4 checks UP, drain-delay
2s, shutdown timeout 20s); after 2s Vigil gets SIGTERM. We time SIGTERM -> /health/ready 503,
SIGTERM -> the listener refusing connections, SIGTERM -> exit, and read the exit status.

Failed requests: liveness must stay 200 while draining, and a request the server took must be
answered. wrk gives totals only: its read and timeout errors are requests sent and never answered,
but it also counts each refused reconnect after the listener closed as a write (or connect) error,
thousands a second, which is the process going away as designed, not a failed request. So beside
wrk, four keep-alive clients of our own send back-to-back requests and file each one, with its time
from SIGTERM, as answered 200, answered otherwise, sent but never answered, or refused at connect.
`--quick`: one run; full: three.
"""
import http.client
import signal
import subprocess
import sys
import threading
import time

import benchlib as b

DRAIN_S = 2
SERVER_CPU = 0
WRK_CPU = 1
CONNECTIONS = 16
BEFORE_S = 2
AFTER_S = 3


def watch(port, since, out, stop):
    """Polls /health/ready on fresh connections every 10 ms: first 503, first refused connection."""
    while not stop.is_set():
        try:
            code, _ = b.http_get('/health/ready', port, timeout=1.0)
            if code == 503 and 'ready_503_s' not in out:
                out['ready_503_s'] = time.monotonic() - since
        except ConnectionRefusedError:
            out['refusing_s'] = time.monotonic() - since
            return
        except OSError:
            pass
        time.sleep(0.01)


class Clients:
    """`n` threads, each with one keep-alive connection, sending GET /health/live back to back."""

    def __init__(self, port, n=4):
        self.port = port
        self.log = []  # (seconds since `zero`, outcome)
        self.zero = None
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._loop, daemon=True) for _ in range(n)]
        for t in self._threads:
            t.start()

    def _loop(self):
        conn = http.client.HTTPConnection(b.HOST, self.port, timeout=2)
        while not self._stop.is_set():
            sent = time.monotonic()
            try:
                conn.request('GET', '/health/live')
                r = conn.getresponse()
                r.read()
                outcome = 'ok' if r.status == 200 else 'status %d' % r.status
            except ConnectionRefusedError:
                outcome = 'refused'
            except (http.client.HTTPException, OSError):
                outcome = 'unanswered'
            if outcome != 'ok':
                conn.close()
            if self.zero is not None:
                self.log.append((sent - self.zero, outcome))
            if outcome == 'refused':
                time.sleep(0.05)

    def stop(self):
        self._stop.set()
        for t in self._threads:
            t.join(3)

    def count(self, outcome):
        return sum(1 for _, o in self.log if o == outcome)

    def failed(self):
        return [(round(t, 3), o) for t, o in self.log if o not in ('ok', 'refused')]


def one(run_no, raw_port):
    port = b.free_port()
    vigil = b.vigil('vigil-shutdown-%d' % run_no, b.four_checks(port, raw_port, drain_delay='%ds' % DRAIN_S),
                    cpus=SERVER_CPU)
    b.wait_http(port, '/health/ready', timeout=60, proc=vigil)
    b.wrk(port, '/health/live', 1, CONNECTIONS, 2, cpus=WRK_CPU)  # warm-up
    seconds = BEFORE_S + DRAIN_S + AFTER_S + 1
    load = subprocess.Popen(b.wrk_cmd(port, '/health/live', 1, CONNECTIONS, seconds, cpus=WRK_CPU),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        time.sleep(BEFORE_S)
        marks, stop = {}, threading.Event()
        clients = Clients(port)
        time.sleep(0.2)
        sigterm = time.monotonic()
        clients.zero = sigterm
        vigil.signal(signal.SIGTERM)
        watcher = threading.Thread(target=watch, args=(port, sigterm, marks, stop), daemon=True)
        watcher.start()
        code = vigil.wait(30)
        exit_s = time.monotonic() - sigterm
        stop.set()
        watcher.join(2)
        clients.stop()
        out, _ = load.communicate(timeout=seconds + 30)
    finally:
        if load.poll() is None:
            load.kill()
    w = b.parse_wrk(out)
    r = {'exit_s': exit_s, 'exit_status': code, 'ready_503_s': marks.get('ready_503_s'),
         'refusing_s': marks.get('refusing_s'),
         'wrk': {'requests': w['requests'], 'unanswered': w['errors']['read'] + w['errors']['timeout'],
                 'non2xx': w['non2xx'], 'refused_reconnects': w['errors']['write'] + w['errors']['connect']},
         'clients': {'ok': clients.count('ok'), 'refused': clients.count('refused'), 'failed': clients.failed()}}
    with open(vigil.log_path, errors='replace') as f:
        lines = [line.strip() for line in f if line.strip()]
    r['last_log_line'] = lines[-1] if lines else ''
    vigil.stop()
    print('  run %d: SIGTERM -> ready 503 %s, refusing %s, exit %.2fs (status %s)'
          % (run_no, fmt(r['ready_503_s']), fmt(r['refusing_s']), exit_s, code))
    print('         wrk: %(requests)d requests, %(unanswered)d unanswered, %(non2xx)d non-2xx, '
          '%(refused_reconnects)d refused reconnects after close' % r['wrk'])
    c = r['clients']
    print('         own clients: %d answered 200 since SIGTERM, %d failed %s, %d refused after close'
          % (c['ok'], len(c['failed']), c['failed'], c['refused']), flush=True)
    return r


def fmt(seconds):
    return 'n/a' if seconds is None else '%.3fs' % seconds


def run(quick):
    b.need_servers()
    b.need_wrk()
    raw_port = b.free_port()
    raw = b.java('raw-server', 'RawServer', [raw_port], cpus=WRK_CPU)
    b.wait_http(raw_port, '/', proc=raw)
    runs = [one(i + 1, raw_port) for i in range(1 if quick else 3)]
    print('\nshutdown under load (wrk -t1 -c%d on /health/live, CPU %d; Vigil on CPU %d, drain-delay %ds, '
          'timeout 20s; %d run%s)' % (CONNECTIONS, WRK_CPU, SERVER_CPU, DRAIN_S, len(runs), '' if len(runs) == 1 else 's'))
    for i, r in enumerate(runs, 1):
        first_fail = min((t for t, _ in r['clients']['failed']), default=None)
        print('  run %d: exit %.2fs after SIGTERM (drain-delay %ds + %.2fs), status %s; ready 503 after %s; '
              'listener closed after %s; failed: wrk %d unanswered + %d non-2xx of %d, own clients %d of %d%s; '
              'last log line: %s'
              % (i, r['exit_s'], DRAIN_S, r['exit_s'] - DRAIN_S, r['exit_status'], fmt(r['ready_503_s']),
                 fmt(r['refusing_s']), r['wrk']['unanswered'], r['wrk']['non2xx'], r['wrk']['requests'],
                 len(r['clients']['failed']), r['clients']['ok'] + len(r['clients']['failed']),
                 '' if first_fail is None else ' (first at %.3fs)' % first_fail, r['last_log_line'][-48:]))
    exits = [r['exit_s'] for r in runs]
    failed = sum(r['wrk']['unanswered'] + r['wrk']['non2xx'] + len(r['clients']['failed']) for r in runs)
    print('shutdown exit median %.2fs max %.2fs (drain-delay %ds), exit statuses %s, failed requests %d '
          '(wrk unanswered + non-2xx + own clients, %d runs)'
          % (b.median(exits), max(exits), DRAIN_S, sorted({r['exit_status'] for r in runs}), failed, len(runs)))
    return {'drain_delay_s': DRAIN_S, 'connections': CONNECTIONS, 'runs': runs}


if __name__ == '__main__':
    sys.exit(b.main('shutdown', run, limits=(60, 180)))
