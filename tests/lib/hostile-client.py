#!/usr/bin/python3
"""hostile-client.py - a client that sends what no polite FTP client
would, for the ftp-tap tests (tests/tap-control.bats).

usage: hostile-client.py [-s SOURCE] HOST PORT < script

Connects to HOST PORT (from the address SOURCE, e.g. 127.0.0.2, when
given), prints the greeting, then runs the script.  Every reply line is
printed as it arrives, CR LF removed, other bytes outside printable ASCII
as \\xNN.  Script lines:

  send PYBYTES        send the bytes of a Python literal as they are
                      (b'\\xff\\xf1PORT 127,0,0,1,200,10\\r\\n'), then
                      print the whole reply
  trickle SECS TEXT   send TEXT one byte every SECS seconds, no line
                      end, until the server replies or closes; print
                      what came and "trickle: N bytes sent"
  drip SECS N PYBYTES send N times the bytes of PYBYTES every SECS
                      seconds (b'\xff\xf1': Telnet NOPs, never a line),
                      until the server replies or closes; print what
                      came and "drip: N bytes sent"
  eof                 print what the server still sends until it closes

Every wait is bounded: 10 s for a reply, 60 s for a trickle.  Exit status
0, or 3 when the server closed before a reply was complete.
"""
import ast
import itertools
import socket
import sys
import time

TIMEOUT = 10


def shown(raw):
    out = []
    for b in raw.rstrip(b"\r\n"):
        out.append(chr(b) if 32 <= b < 127 and b != 0x5c else "\\x%02x" % b)
    return "".join(out)


class Control:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def line(self):
        """One line ending in LF, or None when the server has closed."""
        while b"\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line + b"\n"

    def reply(self):
        """Prints one whole reply (multi-line aware); False at close."""
        first = None
        while True:
            line = self.line()
            if line is None:
                return False
            print(shown(line), flush=True)
            if first is None:
                first = line[:3]
                if line[3:4] != b"-":
                    return True
            elif line[:3] == first and line[3:4] == b" ":
                return True


def send_slowly(ctl, secs, pieces, name):
    """Sends each piece, SECS seconds apart, until the server replies
    or closes (60 s at most); prints what came and "NAME: N bytes sent"."""
    sent = 0
    deadline = time.monotonic() + 60
    ctl.sock.settimeout(secs)
    for piece in pieces:
        if time.monotonic() > deadline:
            break
        try:
            ctl.sock.sendall(piece)
            sent += len(piece)
            data = ctl.sock.recv(4096)
        except socket.timeout:
            continue
        except OSError:
            break
        for line in data.split(b"\n"):
            if line:
                print(shown(line), flush=True)
        break
    print("%s: %d bytes sent" % (name, sent), flush=True)
    ctl.sock.settimeout(TIMEOUT)


def trickle(ctl, secs, text):
    send_slowly(ctl, secs, (bytes([ch]) for ch in text.encode() * 100),
                "trickle")


def drip(ctl, secs, piece):
    send_slowly(ctl, secs, itertools.repeat(piece), "drip")


def main():
    args = sys.argv[1:]
    source = None
    if len(args) >= 2 and args[0] == "-s":
        source, args = args[1], args[2:]
    if len(args) != 2:
        sys.exit("usage: hostile-client.py [-s SOURCE] HOST PORT < script")
    sock = socket.create_connection((args[0], int(args[1])), TIMEOUT,
                                    (source, 0) if source else None)
    ctl = Control(sock)
    if not ctl.reply():
        sys.exit(3)
    for raw in sys.stdin:
        raw = raw.strip()
        if not raw or raw.startswith("#"):
            continue
        word, _, rest = raw.partition(" ")
        if word == "send":
            sock.sendall(ast.literal_eval(rest))
            if not ctl.reply():
                sys.exit(3)
        elif word == "trickle":
            secs, _, text = rest.partition(" ")
            trickle(ctl, float(secs), text)
        elif word == "drip":
            secs, count, piece = rest.split(" ", 2)
            drip(ctl, float(secs), ast.literal_eval(piece) * int(count))
        elif word == "eof":
            while True:
                line = ctl.line()
                if line is None:
                    break
                print(shown(line), flush=True)
        else:
            sys.exit("hostile-client.py: unknown script line: " + raw)
    sock.close()


main()
