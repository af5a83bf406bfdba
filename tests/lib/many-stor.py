#!/usr/bin/python3
"""many-stor.py - N uploads of one account at the same moment.

usage: many-stor.py HOST PORT USER PASSWORD N BYTES

Opens N control connections, logs each in, and sends PASV and STOR
up-N.bin on each; once every one has its 150 and its data connection,
sends BYTES bytes on each, 16 KiB to each in turn, so all N uploads are
in progress together (not one after the other, as the scheduler might
have it).  Then closes the data connections and prints each final reply
code, one a line.  A data connection the server cut (over a quota) stops
taking bytes; its reply is printed all the same.  Every wait is bounded
(20 s).
"""
import re
import socket
import sys

TIMEOUT = 20
CHUNK = 16384


def reply(f):
    """The final line of one reply (multi-line aware)."""
    line = f.readline()
    if not line:
        raise SystemExit("the server closed the connection")
    if line[3:4] == "-":
        code = line[:3]
        while True:
            line = f.readline()
            if not line or line.startswith(code + " "):
                break
    return line.rstrip("\r\n")


def command(sock, f, text):
    sock.sendall(text.encode() + b"\r\n")
    return reply(f)


def start(host, port, user, password, i):
    ctrl = socket.create_connection((host, port), TIMEOUT)
    f = ctrl.makefile("r", encoding="latin-1", newline="\r\n")
    reply(f)
    command(ctrl, f, "USER " + user)
    got = command(ctrl, f, "PASS " + password)
    if not got.startswith("230"):
        raise SystemExit("login %d: %s" % (i, got))
    got = command(ctrl, f, "PASV")
    nums = [int(n) for n in re.search(r"(\d+,\d+,\d+,\d+,\d+,\d+)",
                                      got).group(1).split(",")]
    data = socket.create_connection((host, nums[4] * 256 + nums[5]),
                                    TIMEOUT)
    got = command(ctrl, f, "STOR up-%d.bin" % i)
    if not got.startswith("150"):
        raise SystemExit("STOR %d: %s" % (i, got))
    return ctrl, f, data


def main():
    host, port, user, password = sys.argv[1], int(sys.argv[2]), \
        sys.argv[3], sys.argv[4]
    n, size = int(sys.argv[5]), int(sys.argv[6])
    sessions = [start(host, port, user, password, i) for i in range(n)]
    sent = [0] * n
    cut = [False] * n
    block = b"q" * CHUNK
    while any(not cut[i] and sent[i] < size for i in range(n)):
        for i, (_, _, data) in enumerate(sessions):
            if cut[i] or sent[i] >= size:
                continue
            try:
                data.sendall(block[:min(CHUNK, size - sent[i])])
                sent[i] += min(CHUNK, size - sent[i])
            except OSError:
                cut[i] = True
    for ctrl, f, data in sessions:
        data.close()
    for ctrl, f, data in sessions:
        print(reply(f)[:3], flush=True)
        ctrl.close()


main()
