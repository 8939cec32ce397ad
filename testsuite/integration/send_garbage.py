#!/usr/bin/env python3
"""Send malformed herd frames to a daemon's ROUTER socket and raw garbage to its TCP port.

Usage: send_garbage.py HOST PORT [--expect-unsupported] [--server-key FILE]

Each bad frame goes through a ZeroMQ DEALER (so it reaches the daemon's decoder; raw TCP
garbage only exercises ZeroMQ's handshake), then raw bytes go over plain TCP. Replies are
collected and printed. With --expect-unsupported the frame of an unknown protocol version
must be answered with an UnsupportedReply (message type 2), as the design requires.
With --server-key (the daemon's KeyDir/<name>.pub) the DEALER is a CURVE client, as every
herd client is: anyone may connect, the MUNGE credential of each request says who it is.
Exit code 0 when everything was sent (and the expectation held).
"""
import os
import socket
import struct
import sys
import time

import zmq

MAGIC = 0x44524548  # "HERD"
ENVELOPE = struct.Struct("<IHHIQQII")  # magic ver type flags reqid epoch authlen bodylen
assert ENVELOPE.size == 36

T_STATUS_REPLY = 1
T_UNSUPPORTED_REPLY = 2
T_SUBMIT = 100
T_QUERY_JOBS = 104
T_PING = 115
T_LAUNCH = 300


def frame(mtype, reqid, auth=b"", body=b"", version=1, authlen=None, bodylen=None,
          magic=MAGIC):
    hdr = ENVELOPE.pack(magic, version, mtype, 0, reqid, 0,
                        len(auth) if authlen is None else authlen,
                        len(body) if bodylen is None else bodylen)
    return hdr + auth + body


def cases():
    rnd = os.urandom
    yield "garbage bytes", 1, [b"this is not a herd frame" * 3]
    yield "empty frame", 2, [b""]
    yield "truncated envelope", 3, [frame(T_PING, 3)[:20]]
    yield "body shorter than its length", 4, [frame(T_SUBMIT, 4, b"", rnd(10), bodylen=1000)]
    yield "huge auth length", 5, [frame(T_SUBMIT, 5, b"x", b"y", authlen=0xFFFFFFFF)]
    yield "huge body length", 6, [frame(T_SUBMIT, 6, b"x", b"y", bodylen=0xFFFFFFFF)]
    yield "wrong magic", 7, [frame(T_PING, 7, b"a", b"b", magic=0x12345678)]
    yield "submit, fake credential, random body", 8, [frame(T_SUBMIT, 8, b"MUNGE:notacred:", rnd(64))]
    yield "query, no credential, random body", 9, [frame(T_QUERY_JOBS, 9, b"", rnd(64))]
    yield "launch, fake credential", 10, [frame(T_LAUNCH, 10, b"MUNGE:x:", rnd(200))]
    yield "unknown message type", 11, [frame(9999, 11, b"MUNGE:x:", rnd(16))]
    yield "unknown protocol version", 12, [frame(T_PING, 12, b"MUNGE:x:", b"", version=99)]
    yield "a reply type sent as a request", 13, [frame(T_STATUS_REPLY, 13, b"", rnd(8))]
    yield "multipart message", 14, [frame(T_PING, 14), b"second part", b"third part"]
    yield "2 MB of random bytes", 15, [rnd(2 << 20)]
    yield "envelope with trailing junk", 16, [frame(T_PING, 16, b"", b"") + rnd(100)]
    # Sealed requests (common/net/sealed.h): "HSL1", client key, nonce, box.
    yield "sealed: magic only", 17, [b"HSL1"]
    yield "sealed: shorter than its header", 18, [b"HSL1" + rnd(60)]
    yield "sealed: random box", 19, [b"HSL1" + rnd(32 + 24 + 200)]
    yield "sealed: all-zero (weak) client key", 20, [b"HSL1" + bytes(32) + rnd(24 + 100)]
    yield "sealed: 2 MB of random box", 21, [b"HSL1" + rnd(2 << 20)]


def via_zmq(host, port, server_key=None):
    ctx = zmq.Context.instance()
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    if server_key:
        public, secret = zmq.curve_keypair()
        sock.setsockopt(zmq.CURVE_SERVERKEY, server_key)
        sock.setsockopt(zmq.CURVE_PUBLICKEY, public)
        sock.setsockopt(zmq.CURVE_SECRETKEY, secret)
    sock.connect(f"tcp://{host}:{port}")
    labels = {}
    for label, reqid, parts in cases():
        labels[reqid] = label
        sock.send_multipart(parts)
        time.sleep(0.02)
    replies = {}
    deadline = time.time() + 3.0
    poller = zmq.Poller()
    poller.register(sock, zmq.POLLIN)
    while time.time() < deadline:
        if not poller.poll(100):
            continue
        msg = sock.recv_multipart()
        data = msg[-1]
        if len(data) < ENVELOPE.size:
            print(f"  short reply ({len(data)} bytes)")
            continue
        magic, _ver, mtype, _fl, reqid, _ep, _al, _bl = ENVELOPE.unpack_from(data)
        replies[reqid] = mtype
        print(f"  reply to '{labels.get(reqid, reqid)}': message type {mtype}"
              + ("" if magic == MAGIC else " (bad magic!)"))
    sock.close()
    return replies


def via_tcp(host, port):
    # raw garbage, then a plausible ZMTP greeting followed by garbage
    for payload in (os.urandom(4096),
                    b"\xff" + b"\x00" * 8 + b"\x7f" + b"\x03\x00" + b"NULL" + b"\x00" * 16
                    + os.urandom(512)):
        try:
            with socket.create_connection((host, port), timeout=3) as s:
                s.sendall(payload)
                time.sleep(0.1)
        except OSError as e:  # the daemon may close on us: fine
            print(f"  tcp: {e}")


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    host, port = sys.argv[1], int(sys.argv[2])
    expect_unsupported = "--expect-unsupported" in sys.argv[3:]
    server_key = None
    if "--server-key" in sys.argv[3:]:
        with open(sys.argv[sys.argv.index("--server-key") + 1], "rb") as f:
            server_key = f.read().strip()
    print(f"sending bad frames to {host}:{port}")
    replies = via_zmq(host, port, server_key)
    via_tcp(host, port)
    if expect_unsupported:
        got = replies.get(12)
        if got != T_UNSUPPORTED_REPLY:
            print(f"expected an UnsupportedReply (type {T_UNSUPPORTED_REPLY}) to the frame "
                  f"of protocol version 99, got {'no reply' if got is None else got}",
                  file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
