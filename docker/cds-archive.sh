#!/bin/sh
# Builds Vigil's AppCDS archive: the classes a running monitor loads, stored so that the next JVM maps
# them instead of loading and verifying them again (start -> /health/startup 1.5 s -> 0.8 s, on one
# core with the Dockerfile's flags; docs/benchmarks.md section 4).
#
#   docker/cds-archive.sh JAR ARCHIVE [JVM flags...]
#
# Runs the monitor once with -XX:ArchiveClassesAtExit on a training config (an http and a tcp check of
# itself, a refused Redis and PostgreSQL: the paths of success and of failure), waits for
# /health/startup, asks for /health, /metrics and /health/ready, then stops it with SIGTERM (the
# archive is written at exit). The archive holds the JVM's build: make it with the java that runs it
# and the same jar path. The Dockerfile runs this in its runtime image; bench/footprint.py does too.
set -eu
jar=$1
archive=$2
shift 2
port=${CDS_TRAINING_PORT:-19090}
# A dynamic archive extends the JRE's base archive; a JRE shipped without one gets it made first.
if ! java -Xshare:on -version >/dev/null 2>&1; then
  java -Xshare:dump >/dev/null
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/training.yaml" <<EOF
server: { host: 127.0.0.1, port: $port, shutdown: { drain-delay: 0s, timeout: 10s } }
checks:
  defaults: { interval: 1s, timeout: 500ms }
  self-http: { type: http, url: "http://127.0.0.1:$port/health/live" }
  self-tcp: { type: tcp, host: 127.0.0.1, port: $port }
  redis: { type: redis, uri: "redis://127.0.0.1:1" }
  postgres: { type: postgres, uri: "postgresql://vigil@127.0.0.1:1/vigil" }
EOF
java "$@" -XX:ArchiveClassesAtExit="$archive" -jar "$jar" --config "$dir/training.yaml" >"$dir/log" 2>&1 &
pid=$!
tries=0
until wget -q -O /dev/null "http://127.0.0.1:$port/health/startup"; do
  tries=$((tries + 1))
  if [ "$tries" -gt 300 ] || ! kill -0 "$pid" 2>/dev/null; then
    echo "cds-archive: the training run did not start within 60 s:" >&2
    cat "$dir/log" >&2
    kill -KILL "$pid" 2>/dev/null || true
    exit 1
  fi
  sleep 0.2
done
sleep 3 # a few results of each check, failures included
for path in /health /metrics /health/ready; do
  wget -q -O /dev/null "http://127.0.0.1:$port$path" || true # /health and ready are 503: the targets are down
done
kill -TERM "$pid"
if ! wait "$pid"; then
  echo "cds-archive: the training run did not stop cleanly:" >&2
  cat "$dir/log" >&2
  exit 1
fi
test -s "$archive" || { echo "cds-archive: no archive written at $archive" >&2; exit 1; }
echo "cds-archive: $(du -k "$archive" | cut -f1) KiB of classes in $archive"
