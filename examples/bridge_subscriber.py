#!/usr/bin/env python3
"""Follows Vigil's state changes over its TCP event-bus bridge (bridge: in vigil.yaml).

Python 3 standard library only. Asks vigil.status for the snapshot, then prints each transition on
vigil.status.changed that is newer than it, and each lifecycle phase. Exits 0 when Vigil closes the
bridge (it stops), 1 when it cannot connect or Vigil refuses a frame.

    python3 examples/bridge_subscriber.py [--host 127.0.0.1] [--port 7000] [--results]
"""
import argparse, json, socket, struct, sys, threading

def send(sock, lock, frame):
    data = json.dumps(frame).encode("utf-8")
    with lock:  # the pinger writes too: one frame at a time
        sock.sendall(struct.pack(">I", len(data)) + data)

def frames(sock):
    """Yields each frame: a 4-byte big-endian length, then that many bytes of UTF-8 JSON."""
    stream = sock.makefile("rb")
    while (head := stream.read(4)) and len(head) == 4:
        yield json.loads(stream.read(struct.unpack(">I", head)[0]).decode("utf-8"))

def show(address, body, seq):
    """Prints an event, unless the snapshot already holds it (its seq is not above the snapshot's)."""
    if address == "vigil.status.changed" and body["seq"] > seq:
        reason = f" reason={body['reason']}" if body.get("reason") else ""
        print(f"{body['at']} {body['check']} {body['from']} -> {body['to']}{reason}", flush=True)
    elif address == "vigil.lifecycle":
        print(f"{body['at']} lifecycle {body['phase']}", flush=True)
    elif address == "vigil.check.result" and body["seq"] > seq:
        print(f"{body['at']} result {body['check']} ok={body['ok']} state={body['state']} seq={body['seq']}", flush=True)

def main():
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--host", default="127.0.0.1")
    args.add_argument("--port", type=int, default=7000)
    args.add_argument("--results", action="store_true", help="also print every probe result")
    opts = args.parse_args()
    try:
        sock = socket.create_connection((opts.host, opts.port), timeout=5)
    except OSError as e:
        sys.exit(f"cannot connect to the bridge at {opts.host}:{opts.port}: {e}")
    sock.settimeout(None)
    lock, stop = threading.Lock(), threading.Event()
    addresses = ["vigil.status.changed", "vigil.lifecycle"] + (["vigil.check.result"] if opts.results else [])
    for address in addresses:  # register before asking, so no change falls between snapshot and events
        send(sock, lock, {"type": "register", "address": address})
    send(sock, lock, {"type": "send", "address": "vigil.status", "replyAddress": "snapshot", "body": {}})
    def ping():  # the bridge answers "pong"; a dead peer shows as a failed write
        while not stop.wait(10):
            try:
                send(sock, lock, {"type": "ping"})
            except OSError:
                return
    threading.Thread(target=ping, daemon=True).start()
    seq, early = None, []  # events that come before the snapshot wait for it
    for frame in frames(sock):
        kind, address, body = frame.get("type"), frame.get("address"), frame.get("body") or {}
        if kind == "err":
            print(f"refused: {frame.get('message')}", flush=True)
            sys.exit(1)
        if kind != "message":
            continue  # pong
        if address == "snapshot":
            seq = body.get("seq", 0)
            states = " ".join(f"{c['name']}={c.get('data', {}).get('state', c['status'])}" for c in body["checks"])
            print(f"snapshot seq={seq} state={body['state']} {states}", flush=True)
            for event in early:
                show(*event, seq)
        elif seq is None:
            early.append((address, body))
        else:
            show(address, body, seq)
    stop.set()
    print("bridge closed", flush=True)

if __name__ == "__main__":
    main()
