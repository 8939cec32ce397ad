#!/usr/bin/env python3
"""A fake herd daemon: what a local user can run on a stopped daemon's port.

Usage: fake_daemon.py HOST PORT CAPTURE [--epoch N] [--plain] [--name NAME]

Binds a ZeroMQ ROUTER on HOST:PORT (a CURVE server with a key pair of its own, as an
impostor who cannot read the daemon's secret key would; --plain: no security at all),
appends every frame it receives to CAPTURE, and answers every request as the most
harmful daemon would: votes granted and leases renewed (as witness or controller NAME)
and a StatusReply "ok" for anything else, all with epoch N (default 2^64-1); a sealed
request (a command's, to a controller's command port) it cannot open is answered with a
forged sealed reply and a plain one. Writes
CAPTURE.ready once bound and CAPTURE.count (frames received) after each frame. Runs
until killed.
"""
import os
import struct
import sys

import zmq

MAGIC = 0x44524548  # "HERD"
ENVELOPE = struct.Struct("<IHHIQQII")  # magic ver type flags reqid epoch authlen bodylen
T_STATUS_REPLY = 1
SEALED_MAGIC = b"HSL1"  # common/net/sealed.h
T_VOTE_REQUEST, T_VOTE_REPLY = 500, 501
T_APPEND_REQUEST, T_APPEND_REPLY = 502, 503
CLASS_INFO = b"\x00" + struct.pack("<I", 0)  # tracking byte, class version


def string(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def reply(mtype, reqid, epoch, name):
    if mtype == T_VOTE_REQUEST:  # VoteReply: epoch granted voter reason
        out, body = T_VOTE_REPLY, (CLASS_INFO + struct.pack("<Q?", epoch, True) + string(name)
                                   + string(""))
    elif mtype == T_APPEND_REQUEST:  # AppendReply: epoch ok last_seq need_snapshot voter reason
        out, body = T_APPEND_REPLY, (CLASS_INFO + struct.pack("<Q?Q?", epoch, True, 0, False)
                                     + string(name) + string(""))
    else:  # StatusReply: code message
        out, body = T_STATUS_REPLY, CLASS_INFO + struct.pack("<i", 0) + string("")
    return ENVELOPE.pack(MAGIC, 1, out, 0, reqid, epoch, 0, len(body)) + body


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    host, port, capture = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    args = sys.argv[4:]
    epoch = int(args[args.index("--epoch") + 1]) if "--epoch" in args else 2**64 - 1
    name = args[args.index("--name") + 1] if "--name" in args else "w"
    sock = zmq.Context.instance().socket(zmq.ROUTER)
    sock.setsockopt(zmq.LINGER, 0)
    if "--plain" not in args:
        _public, secret = zmq.curve_keypair()
        sock.setsockopt(zmq.CURVE_SERVER, 1)
        sock.setsockopt(zmq.CURVE_SECRETKEY, secret)
    sock.bind(f"tcp://{host}:{port}")
    with open(capture + ".ready", "w") as f:
        f.write(f"{os.getpid()}\n")
    frames = 0
    while True:
        parts = sock.recv_multipart()
        frames += 1
        with open(capture, "ab") as f:
            for p in parts[1:]:
                f.write(p)
        with open(capture + ".count", "w") as f:
            f.write(f"{frames}\n")
        data = parts[-1]
        if data.startswith(SEALED_MAGIC):
            # Without the controller's secret key: random bytes where the box would be,
            # then a plain StatusReply "ok" (request id unknown: try 1).
            forged = SEALED_MAGIC + os.urandom(24 + 16 + 64)
            sock.send_multipart([parts[0], forged])
            sock.send_multipart([parts[0], reply(0, 1, epoch, name)])
            continue
        if len(data) < ENVELOPE.size:
            continue
        magic, _ver, mtype, _fl, reqid, _ep, _al, _bl = ENVELOPE.unpack_from(data)
        if magic == MAGIC:
            sock.send_multipart([parts[0], reply(mtype, reqid, epoch, name)])


if __name__ == "__main__":
    sys.exit(main())
