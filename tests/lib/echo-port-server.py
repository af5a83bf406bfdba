#!/usr/bin/python3
"""echo-port-server.py - a hostile FTP server for the ftp-tap tests: it
answers every PASV, in any session, with a 227 naming the port of the
last PORT it was sent, in any session (tests/tap-control.bats).

usage: echo-port-server.py [SECONDS]

Listens on 127.0.0.1, a port the kernel picks, and prints "listening on
127.0.0.1 port N" first; serves sessions at once, each in a thread,
until SECONDS (default 30) have passed.  A tap in front of it puts the
port it listens on for session 1's data connection in the PORT it sends
on; this server then names that port in session 2's 227.
"""
import socket
import sys
import threading
import time

last_port = [1024]


def session(conn):
    conn.settimeout(10)
    conn.sendall(b"220 echo-port-server\r\n")
    f = conn.makefile("rb")
    try:
        for line in f:
            words = line.split()
            verb = words[0].upper() if words else b""
            if verb == b"PORT" and len(words) > 1:
                n = words[1].split(b",")
                last_port[0] = int(n[4]) * 256 + int(n[5])
                reply = b"200 PORT ok"
            elif verb == b"PASV":
                p = last_port[0]
                reply = b"227 Entering Passive Mode (127,0,0,1,%d,%d)." % (
                    p // 256, p % 256)
            elif verb == b"QUIT":
                conn.sendall(b"221 bye\r\n")
                return
            else:
                reply = b"200 ok"
            conn.sendall(reply + b"\r\n")
    except OSError:
        pass
    finally:
        conn.close()


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 30
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(8)
    print("listening on 127.0.0.1 port %d" % lsock.getsockname()[1],
          flush=True)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        lsock.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            conn, _ = lsock.accept()
        except socket.timeout:
            break
        threading.Thread(target=session, args=(conn,), daemon=True).start()


main()
