"""Shared helpers for Vigil's benchmarks (Python 3 standard library only).

Everything a benchmark starts goes through Proc, which puts it in its own process group, keeps its
output in a log file and is stopped by stop_all() at exit, on a signal or when the time limit hits.
Traffic goes to 127.0.0.1 only.
"""
import atexit
import datetime
import functools
import http.client
import json
import math
import os
import platform
import random
import re
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
JAR = os.path.join(ROOT, 'target', 'vigil.jar')
BENCH_SRC = os.path.join(ROOT, 'src', 'test', 'java', 'io', 'vigil', 'bench')
BENCH_CLASSES = os.path.join(ROOT, 'target', 'bench-classes')
OUT = os.path.join(ROOT, 'bench', 'out')
ACTUATOR = os.path.join(ROOT, 'bench', 'actuator')
ACTUATOR_JAR = os.path.join(ACTUATOR, 'target', 'actuator-peer.jar')
HOST = '127.0.0.1'
REDIS = ('127.0.0.1', 6379)
POSTGRES = ('127.0.0.1', 5432)
POSTGRES_URI = 'postgresql://postgres@127.0.0.1:5432/test'
CLK_TCK = os.sysconf('SC_CLK_TCK')
NCPU = os.cpu_count() or 1

_procs = []
_tmpdirs = []


class BenchError(Exception):
    """A benchmark cannot run or produced nonsense; the message says why and what to do."""


# ---------------------------------------------------------------------------------------------
# Setup: the jar, the bench classes, wrk, the time limit


def need_jar():
    if not os.path.isfile(JAR):
        raise BenchError('target/vigil.jar is missing: run ./mvnw -q package -DskipTests first')
    return JAR


def need_wrk():
    if shutil.which('wrk') is None:
        raise BenchError('wrk is missing: apt-get install -y wrk')
    return shutil.which('wrk')


def need_blackbox():
    path = shutil.which('prometheus-blackbox-exporter')
    if path is None:
        raise BenchError('prometheus-blackbox-exporter is missing: apt-get install -y prometheus-blackbox-exporter')
    return path


def bench_classpath():
    """Compiles the bench programs of the test tree against the shaded jar (which holds Vert.x)
    into target/bench-classes when a source is newer, and returns the classpath to run them."""
    need_jar()
    sources = sorted(os.path.join(BENCH_SRC, f) for f in os.listdir(BENCH_SRC) if f.endswith('.java'))
    stamp = os.path.join(BENCH_CLASSES, '.built')
    newest = max(os.path.getmtime(p) for p in sources + [JAR])
    if not os.path.exists(stamp) or os.path.getmtime(stamp) < newest:
        os.makedirs(BENCH_CLASSES, exist_ok=True)
        javac = shutil.which('javac')
        if javac is None:
            raise BenchError('javac is missing: the bench programs need a JDK 17 (not a JRE)')
        r = subprocess.run([javac, '-nowarn', '-cp', JAR, '-d', BENCH_CLASSES] + sources,
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise BenchError('javac failed on src/test/java/io/vigil/bench:\n' + r.stdout + r.stderr)
        with open(stamp, 'w') as f:
            f.write(str(time.time()))
    return BENCH_CLASSES + os.pathsep + JAR


def actuator_jar():
    """Builds bench/actuator (the Spring Boot Actuator peer of bench/actuator.py) with the repo's
    Maven wrapper when its jar is missing or older than its sources, and returns the jar. Called
    before a benchmark's time limit starts: the first build downloads Spring Boot from Maven Central."""
    sources = [os.path.join(d, f) for d, _, files in os.walk(os.path.join(ACTUATOR, 'src')) for f in files]
    newest = max(os.path.getmtime(p) for p in sources + [os.path.join(ACTUATOR, 'pom.xml')])
    if os.path.isfile(ACTUATOR_JAR) and os.path.getmtime(ACTUATOR_JAR) >= newest:
        return ACTUATOR_JAR
    cmd = ['./mvnw', '-q', '-f', 'bench/actuator/pom.xml', 'package', '-DskipTests']
    print('building bench/actuator: %s' % ' '.join(cmd), flush=True)
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    if r.returncode != 0 or not os.path.isfile(ACTUATOR_JAR):
        raise BenchError('building bench/actuator failed (%s); run it by hand to see why:\n%s'
                         % (' '.join(cmd), (r.stdout + r.stderr)[-3000:]))
    return ACTUATOR_JAR


class TimeLimit(Exception):
    pass


def time_limit(seconds):
    """Raises TimeLimit in the main thread after `seconds`; SIGTERM/SIGINT end the script the same
    way, so that every finally block and stop_all() run."""
    def expire(signum, frame):
        raise TimeLimit('time limit of %ds reached' % seconds)

    def interrupted(signum, frame):
        raise TimeLimit('stopped by signal %d' % signum)

    signal.signal(signal.SIGALRM, expire)
    signal.signal(signal.SIGTERM, interrupted)
    signal.alarm(int(seconds))


# ---------------------------------------------------------------------------------------------
# Processes


class Proc:
    """A child in its own process group, its output in a log file. `cpus` pins it with taskset."""

    def __init__(self, name, cmd, cpus=None, env=None, cwd=ROOT):
        self.name = name
        if cpus is not None and shutil.which('taskset') and NCPU > 1:
            cmd = ['taskset', '-c', str(cpus)] + list(cmd)
        self.cmd = cmd
        self.log_path = os.path.join(tempdir(), name + '.log')
        self._log = open(self.log_path, 'wb')
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.started = time.monotonic()
        self.popen = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                      cwd=cwd, env=full_env, start_new_session=True)
        self.pid = self.popen.pid  # taskset execs the program: same pid
        _procs.append(self)

    def alive(self):
        return self.popen.poll() is None

    def signal(self, sig):
        if self.alive():
            os.kill(self.pid, sig)

    def wait(self, timeout):
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, grace=5.0):
        """SIGTERM to the process group, SIGKILL after `grace` seconds; once only."""
        if self in _procs:
            _procs.remove(self)
        elif self.popen.returncode is not None:
            return self.popen.returncode
        if self.alive() and grace > 0:
            _killpg(self.pid, signal.SIGTERM)
            if self.wait(grace) is None:
                _killpg(self.pid, signal.SIGKILL)
                self.wait(5)
        _killpg(self.pid, signal.SIGKILL)  # the program, or anything it left behind in its group
        self.wait(5)
        self._log.close()
        return self.popen.returncode

    def kill(self):
        """SIGKILL at once, for programs whose shutdown is not what is measured."""
        return self.stop(grace=0)

    def log_tail(self, lines=15):
        try:
            with open(self.log_path, errors='replace') as f:
                return ''.join(f.readlines()[-lines:])
        except OSError:
            return ''

    def check_alive(self):
        if not self.alive():
            raise BenchError('%s exited with status %s; log %s:\n%s'
                             % (self.name, self.popen.returncode, self.log_path, self.log_tail()))


def _killpg(pid, sig):
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def stop_all():
    while _procs:
        _procs[-1].stop(grace=3.0)


def tempdir():
    if not _tmpdirs:
        _tmpdirs.append(tempfile.mkdtemp(prefix='vigil-bench-'))
    return _tmpdirs[0]


atexit.register(stop_all)


def java(name, classname, args, cpus=None, jvm_flags=()):
    """Runs one of the bench programs of the test tree (see bench_classpath)."""
    return Proc(name, ['java'] + list(jvm_flags) + ['-cp', bench_classpath(), 'io.vigil.bench.' + classname]
                + [str(a) for a in args], cpus=cpus)


def java_jar(name, jar, args, cpus=None, jvm_flags=(), env=None):
    """Starts `java [jvm_flags] -jar JAR args...`, as a program's README would run it."""
    return Proc(name, ['java'] + list(jvm_flags) + ['-jar', jar] + [str(a) for a in args], cpus=cpus, env=env)


def vigil(name, yaml_text, cpus=None, jvm_flags=(), env=None):
    """Starts `java -jar target/vigil.jar --config FILE` on a generated config (in the temp dir)."""
    need_jar()
    config = os.path.join(tempdir(), name + '.yaml')
    with open(config, 'w') as f:
        f.write(yaml_text)
    return java_jar(name, JAR, ['--config', config], cpus=cpus, jvm_flags=jvm_flags, env=env)


def image_jvm_flags():
    """The JVM flags of docker/Dockerfile's ENTRYPOINT (between `java` and `-jar`), with what the
    container gives the JVM made explicit: the compose file's CPU and memory limits of the vigil
    service (ActiveProcessorCount, MaxRAM), and the class archive built as the image builds it."""
    with open(os.path.join(ROOT, 'docker', 'Dockerfile')) as f:
        entry = [l for l in f if l.startswith('ENTRYPOINT ')][-1]
    words = json.loads(entry[len('ENTRYPOINT '):])
    flags = words[words.index('java') + 1:words.index('-jar')]
    cpus, memory = compose_limits('vigil')
    archive = class_archive()
    return (['-XX:ActiveProcessorCount=%d' % max(1, math.ceil(cpus)), '-XX:MaxRAM=%s' % memory.lower()]
            + [f.replace('/app/vigil.jsa', archive) for f in flags])


def compose_limits(service):
    """(cpus, memory) of `deploy.resources.limits` of a service in docker-compose.production.yml."""
    with open(os.path.join(ROOT, 'docker-compose.production.yml')) as f:
        text = f.read()
    block = re.search(r'(?m)^  %s:\n((?:    .*\n|\n)+)' % re.escape(service), text)
    limits = block and re.search(r'limits: \{ cpus: "([0-9.]+)", memory: (\w+) \}', block.group(1))
    if not limits:
        raise BenchError('no deploy.resources.limits for %s in docker-compose.production.yml' % service)
    return float(limits.group(1)), limits.group(2)


@functools.lru_cache(maxsize=None)
def class_archive():
    """The AppCDS archive of target/vigil.jar, made once per run by docker/cds-archive.sh."""
    path = os.path.join(tempdir(), 'vigil.jsa')
    r = subprocess.run([os.path.join(ROOT, 'docker', 'cds-archive.sh'), JAR, path],
                       capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, CDS_TRAINING_PORT=str(free_port())))
    if r.returncode != 0:
        raise BenchError('docker/cds-archive.sh failed:\n' + r.stdout + r.stderr)
    return path


def four_checks(port, http_port, drain_delay='5s'):
    """A Vigil config with 4 checks that are UP: http (RawServer on `http_port`), tcp, redis and
    postgres, every 2s. Used where Vigil must be ready while we load it."""
    return f"""
server: {{ host: 127.0.0.1, port: {port}, shutdown: {{ drain-delay: {drain_delay}, timeout: 20s }} }}
checks:
  defaults: {{ interval: 2s, timeout: 1s }}
  api: {{ type: http, url: "http://127.0.0.1:{http_port}/health", expect: {{ status: [200], json: {{ status: UP }} }} }}
  pg-port: {{ type: tcp, host: 127.0.0.1, port: {POSTGRES[1]} }}
  redis: {{ type: redis, uri: "redis://127.0.0.1:{REDIS[1]}", key: "vigil:bench:probe", expect: {{ writable: true }} }}
  postgres: {{ type: postgres, uri: "{POSTGRES_URI}", expect: {{ primary: true }} }}
"""


def free_port():
    """A free port on 127.0.0.1 in 20000-32000, below the kernel's ephemeral range: a closed port in
    that range can never become the source port of an outgoing connection (see TestPorts.java)."""
    for _ in range(200):
        port = random.randint(20000, 32000)
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((HOST, port))
                return port
            except OSError:
                continue
    raise BenchError('no free port in 20000-32000')


def need_servers():
    for name, addr in (('Redis', REDIS), ('PostgreSQL', POSTGRES)):
        try:
            socket.create_connection(addr, timeout=1).close()
        except OSError:
            raise BenchError('%s is not answering on %s:%d (start it as .ci/run does)' % ((name,) + addr))


# ---------------------------------------------------------------------------------------------
# HTTP


def http_get(url_path, port, timeout=5.0, headers=None):
    """GET http://127.0.0.1:port/path; returns (status, body bytes)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request('GET', url_path, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def wait_http(port, path, status=200, timeout=60.0, proc=None, poll=0.01):
    """Polls until GET path answers `status`; returns the monotonic time it did."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc is not None:
            proc.check_alive()
        try:
            code, _ = http_get(path, port, timeout=2.0)
            if code == status:
                return time.monotonic()
            last = 'HTTP %d' % code
        except OSError as e:
            last = str(e)
        time.sleep(poll)
    where = '' if proc is None else '; log %s:\n%s' % (proc.log_path, proc.log_tail())
    raise BenchError('GET %s on port %d did not answer %d within %.0fs (last: %s)%s'
                     % (path, port, status, timeout, last, where))


def scrape(port, timeout=60.0, headers=None):
    """/metrics as {(name, frozenset(labels)): value}."""
    return parse_metrics(scrape_body(port, timeout, headers))


def scrape_body(port, timeout=60.0, headers=None):
    code, body = http_get('/metrics', port, timeout=timeout, headers=headers)
    if code != 200:
        raise BenchError('/metrics answered %d' % code)
    return body


def parse_metrics(body):
    out = {}
    for line in body.decode().splitlines():
        if not line or line.startswith('#'):
            continue
        m = re.match(r'([a-zA-Z_:][\w:]*)(\{(.*)\})? (\S+)', line)
        if m:
            labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(3) or ''))
            out[(m.group(1), labels)] = float(m.group(4))
    return out


def timed_scrape(port, headers=None):
    """scrape(), with the monotonic midpoint of the request (rates between two scrapes are taken
    between midpoints) and how long the HTTP exchange took: (metrics, midpoint, seconds). The time
    stops when the last byte is read; parsing the body here (seconds for 10,000 checks) is not Vigil's."""
    t = time.monotonic()
    body = scrape_body(port, headers=headers)
    took = time.monotonic() - t
    return parse_metrics(body), t + took / 2, took


def metric_sum(metrics, name, **labels):
    want = set(labels.items())
    return sum(v for (n, ls), v in metrics.items() if n == name and want <= set(ls))


class EventStream:
    """Follows /events (Server-Sent Events) on a thread; every event is kept with its arrival time."""

    def __init__(self, port):
        self.events = []  # (monotonic arrival, event name, data dict)
        self._cond = threading.Condition()
        self._sock = socket.create_connection((HOST, port), timeout=5)
        self._sock.sendall(b'GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n')
        self._sock.settimeout(None)
        self._stopped = False
        self.error = None  # why the reader stopped early, if it did
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        raw = b''  # bytes as received: the chunked encoding
        body = b''  # de-chunked SSE text not yet split into complete lines
        head_done = False
        event, data = None, []
        try:
            while not self._stopped:
                chunk = self._sock.recv(65536)
                if not chunk:
                    return
                raw += chunk
                if not head_done:
                    if b'\r\n\r\n' not in raw:
                        continue
                    raw = raw.split(b'\r\n\r\n', 1)[1]
                    head_done = True
                # An SSE event may span several HTTP chunks (Vigil writes a snapshot's head, its cached
                # body and its end as three), so chunks are decoded before lines are split.
                while b'\r\n' in raw:
                    size_line, rest = raw.split(b'\r\n', 1)
                    size = int(size_line.split(b';')[0], 16)
                    if len(rest) < size + 2:
                        break
                    body += rest[:size]
                    raw = rest[size + 2:]
                *lines, body = body.split(b'\n')
                for line_bytes in lines:
                    line = line_bytes.rstrip(b'\r').decode(errors='replace')
                    if line.startswith('event: '):
                        event = line[7:]
                    elif line.startswith('data: '):
                        data.append(line[6:])
                    elif line == '' and event is not None:
                        now = time.monotonic()
                        with self._cond:
                            self.events.append((now, event, json.loads('\n'.join(data))))
                            self._cond.notify_all()
                        event, data = None, []
        except (OSError, ValueError) as e:
            self.error = '%s: %s' % (type(e).__name__, e)  # said by the benchmark that waits in vain

    def wait_for(self, predicate, after, timeout):
        """The arrival time of the first event after `after` with predicate(name, data), or None."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for at, name, data in self.events:
                    if at >= after and predicate(name, data):
                        return at
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(min(left, 0.05))

    def close(self):
        self._stopped = True
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._sock.close()


# ---------------------------------------------------------------------------------------------
# N http targets (TargetServer) and a Vigil that checks them


def target_server(n, cpus=None):
    """Starts TargetServer (targets /t/0../t/N-1 on one port) and waits for it; returns (proc, port)."""
    port = free_port()
    proc = java('target', 'TargetServer', [port, n], cpus=cpus)
    wait_http(port, '/stats', proc=proc)
    return proc, port


def target_url(port, i):
    return 'http://%s:%d/t/%d' % (HOST, port, i)


def target_stats(port, reset=False):
    code, body = http_get('/stats?reset=1' if reset else '/stats', port, timeout=30)
    if code != 200:
        raise BenchError('target /stats answered %d' % code)
    return json.loads(body)


def http_checks(port, target_port, n, interval_s, shutdown_timeout_s):
    """A Vigil config with N http checks t0..tN-1, one per target, expecting 200 (timeout 2s)."""
    lines = [f'server: {{ host: 127.0.0.1, port: {port}, shutdown: {{ drain-delay: 1s, timeout: {shutdown_timeout_s}s }} }}',
             'checks:',
             f'  defaults: {{ interval: {interval_s}s, timeout: 2s }}']
    lines += [f'  t{i}: {{ type: http, url: "{target_url(target_port, i)}", expect: {{ status: [200] }} }}'
              for i in range(n)]
    return '\n'.join(lines) + '\n'


def window(proc, n, target_port, warm_s, measure_s, interval_s, jitter_ms, watch=None):
    """Warm up, then measure `proc`'s CPU and the target's view over `measure_s` (`watch`, a thread
    with figures(), runs during the window only). Returns (figures, (t0, t1)), t0 and t1 monotonic:
    CLOCK_MONOTONIC is system-wide, so another process's timestamps can be matched to the window."""
    time.sleep(warm_s)
    proc.check_alive()
    target_stats(target_port, reset=True)
    cpu0, t0 = cpu_seconds(proc.pid), time.monotonic()
    if watch:
        watch.start()
    time.sleep(measure_s)
    cpu1, t1 = cpu_seconds(proc.pid), time.monotonic()
    stats = target_stats(target_port)
    proc.check_alive()
    errors_ms = [us / 1000.0 - interval_s * 1000 for us in stats['intervalsUs']]
    done = stats['requests']
    return dict(watch.figures() if watch else {}, **{
        'seconds': round(t1 - t0, 2),
        'checks': done,
        'expected': round(n / interval_s * (t1 - t0)),
        'distinct': stats['distinct'],
        'connections': stats['connections'],
        'cpu_s': round(cpu1 - cpu0, 2),
        'cpu_per_1000': round((cpu1 - cpu0) / done * 1000, 3) if done else float('nan'),
        'cores_busy': round((cpu1 - cpu0) / (t1 - t0), 3),
        'interval_err_p50_ms': round(percentile([abs(e) for e in errors_ms], 50), 1),
        'interval_err_p99_ms': round(percentile([abs(e) for e in errors_ms], 99), 1),
        'late_over_jitter': round(sum(1 for e in errors_ms if e > jitter_ms + 20) / len(errors_ms), 4) if errors_ms else 0,
        'intervals': len(errors_ms),
    }), (t0, t1)


# ---------------------------------------------------------------------------------------------
# wrk


_UNITS = {'us': 0.001, 'ms': 1.0, 's': 1000.0, 'm': 60000.0}


def _ms(text):
    m = re.fullmatch(r'([\d.]+)(us|ms|s|m)', text)
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_wrk(text):
    """rps, latency percentiles in ms (from --latency), requests, socket errors and non-2xx."""
    r = {'errors': {'connect': 0, 'read': 0, 'write': 0, 'timeout': 0}, 'non2xx': 0}
    m = re.search(r'Requests/sec:\s+([\d.]+)', text)
    if not m:
        raise BenchError('cannot read wrk output:\n' + text)
    r['rps'] = float(m.group(1))
    for pct, value in re.findall(r'^\s+(50|75|90|99)(?:\.000)?%\s+(\S+)', text, re.M):
        r['p' + pct] = _ms(value)
    m = re.search(r'(\d+) requests in', text)
    r['requests'] = int(m.group(1)) if m else 0
    m = re.search(r'Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)', text)
    if m:
        r['errors'] = dict(zip(('connect', 'read', 'write', 'timeout'), map(int, m.groups())))
    m = re.search(r'Non-2xx or 3xx responses: (\d+)', text)
    if m:
        r['non2xx'] = int(m.group(1))
    return r


def wrk_cmd(port, path, threads, connections, seconds, cpus=None, timeout='2s'):
    cmd = [need_wrk(), '-t%d' % threads, '-c%d' % connections, '-d%ds' % seconds, '--latency',
           '--timeout', timeout, 'http://%s:%d%s' % (HOST, port, path)]
    if cpus is not None and shutil.which('taskset') and NCPU > 1:
        cmd = ['taskset', '-c', str(cpus)] + cmd
    return cmd


def wrk(port, path, threads, connections, seconds, cpus=None):
    r = subprocess.run(wrk_cmd(port, path, threads, connections, seconds, cpus), capture_output=True, text=True,
                       timeout=seconds + 30)
    if r.returncode != 0:
        raise BenchError('wrk failed (%d): %s' % (r.returncode, r.stderr or r.stdout))
    return parse_wrk(r.stdout)


# ---------------------------------------------------------------------------------------------
# /proc


def cpu_seconds(pid):
    """utime + stime of the process (all its threads), in seconds."""
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_mib(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024.0
    raise BenchError('no VmRSS for pid %d' % pid)


def heap_used_mib(pid):
    """Heap in use per `jstat -gc` (survivors + eden + old), in MiB; works for every collector."""
    r = subprocess.run(['jstat', '-gc', str(pid)], capture_output=True, text=True, timeout=30)
    head, values = r.stdout.split('\n')[:2]
    row = dict(zip(head.split(), values.split()))
    return sum(float(row[k]) for k in ('S0U', 'S1U', 'EU', 'OU')) / 1024.0


def live_heap_mib(pid):
    """Heap in use right after a full GC (`jcmd PID GC.run`): what the program really keeps."""
    subprocess.run(['jcmd', str(pid), 'GC.run'], capture_output=True, timeout=60)
    return heap_used_mib(pid)


# ---------------------------------------------------------------------------------------------
# A TCP proxy that fails on demand


class TcpProxy:
    """127.0.0.1:port -> upstream, switchable to 'refuse' (nothing listens: connections are refused)
    or 'blackhole' (accepts, never answers). Every switch drops the connections already open, as a
    restart or a cut would, so pooled clients notice. Like the test tree's FaultProxy, in Python."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.port = free_port()
        self.mode = 'pass'
        self._lock = threading.Lock()
        self._open = set()
        self._listener = None
        self._listen()

    def _listen(self):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((HOST, self.port))
        s.listen(128)
        self._listener = s
        threading.Thread(target=self._accept, args=(s,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed: refuse mode or the end
            with self._lock:
                if listener is not self._listener:
                    client.close()
                    continue
                self._open.add(client)
                mode = self.mode
            threading.Thread(target=self._serve, args=(client, mode), daemon=True).start()

    def _serve(self, client, mode):
        try:
            if mode == 'blackhole':
                while client.recv(4096):
                    pass
                return
            up = socket.create_connection(self.upstream, timeout=2)
            up.settimeout(None)
            with self._lock:
                self._open.add(up)
            self._pump(client, up)
        except OSError:
            pass
        finally:
            self._drop(client)

    def _pump(self, a, b):
        try:
            while True:
                ready, _, _ = select.select([a, b], [], [])
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (b if s is a else a).sendall(data)
        except (OSError, ValueError):
            pass
        finally:
            self._drop(a)
            self._drop(b)

    def _drop(self, s):
        with self._lock:
            self._open.discard(s)
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()

    def switch(self, mode):
        """mode: 'pass', 'refuse' or 'blackhole'."""
        with self._lock:
            self.mode = mode
            victims = list(self._open)
            self._open.clear()
            if mode == 'refuse' and self._listener is not None:
                self._listener.close()
                self._listener = None
        for s in victims:
            self._drop(s)
        if mode != 'refuse' and self._listener is None:
            self._listen()

    def close(self):
        self.switch('refuse')


# ---------------------------------------------------------------------------------------------
# Figures


def percentile(values, p):
    """Nearest-rank percentile, p in 0..100."""
    if not values:
        return float('nan')
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def median(values):
    return statistics.median(values) if values else float('nan')


def machine():
    model = 'unknown'
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    model = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    java_version = subprocess.run(['java', '-version'], capture_output=True, text=True).stderr.splitlines()
    return {'cores': NCPU, 'cpu': model, 'java': java_version[1] if len(java_version) > 1 else '?',
            'kernel': platform.release(), 'date': datetime.date.today().isoformat()}


def save(name, mode, result):
    """Writes the figures as JSON to bench/out/NAME-MODE.json (bench/run collects them)."""
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, '%s-%s.json' % (name, mode))
    with open(path, 'w') as f:
        json.dump(result, f, indent=1)
    return path


def main(name, run, limits):
    """Runs `run(quick)` within `limits` = (quick seconds, full seconds), stops everything it started,
    and says where the logs are when it fails. Exit status: 0 figures printed, 1 the benchmark failed."""
    quick = '--quick' in sys.argv
    time_limit(limits[0] if quick else limits[1])
    ok = False
    try:
        save(name, 'quick' if quick else 'full', run(quick))
        ok = True
        return 0
    except (BenchError, TimeLimit) as e:
        print('%s: FAILED: %s' % (name, e), file=sys.stderr)
        return 1
    except Exception:
        print('%s: FAILED:' % name, file=sys.stderr)
        traceback.print_exc()
        return 1
    finally:
        signal.alarm(0)
        if not ok:
            for p in _procs:
                print('  log of %s: %s' % (p.name, p.log_path), file=sys.stderr)
        stop_all()
        if ok and _tmpdirs:
            shutil.rmtree(_tmpdirs.pop(), ignore_errors=True)
