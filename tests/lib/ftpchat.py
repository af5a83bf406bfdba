#!/usr/bin/python3
"""ftpchat.py - drive an FTP control channel from a script, for the
ftp-labd tests.

usage: ftpchat.py HOST PORT < script

Every reply line the server sends is printed as it arrives (CR removed),
so a test greps what a user would see on the wire.  Script lines:

  TEXT                 send TEXT + CRLF, print the whole reply
  !pasv | !epsv        send PASV/EPSV, remember the data address
  !port | !eprt        listen on the control connection's local address,
                       send PORT/EPRT for it
  !get FILE CMD        send CMD (RETR, LIST...), take the data into FILE
  !put FILE CMD        send CMD (STOR, APPE...), send FILE as the data
  !abort FILE CMD      send CMD, read a first chunk of data into FILE,
                       then IAC IP, IAC DM (urgent) and ABOR; print the
                       replies (426 then 226)
  !abortput FILE CMD   the same while uploading FILE
  !during LINE FILE CMD  send CMD, read a first chunk of data, send LINE
                       (one word, plain), take the rest of the data into
                       FILE, then print two replies
  !status FILE CMD     send CMD (passive, not connected yet), then STAT
                       before connecting and again after a first chunk
                       of data; then take the rest into FILE
  !statusput FILE CMD  the same while uploading FILE (STAT after 64 KiB)
  !midsh FILE CMD | SH  send CMD (a download, passive), read a first chunk
                       of data, run the shell command SH while the
                       connection is open (the data port in $CHAT_DATA_PORT),
                       then take the rest into FILE and print the reply
  !stall CMD           open the (passive) data connection with a small
                       receive buffer, send CMD, print the 150, then read
                       no data: print the reply that ends the transfer
  !thief               connect to the passive port from 127.0.0.2 first
                       (someone else's connection; the server refuses it)
  !raw PYTHON-BYTES    send bytes as written (b'...' literal), no CRLF
  !read                print one more reply
  !eof                 print what the server still sends until it closes
  !sleep SECS
  !sh COMMAND          run a shell command between two FTP commands (to
                       change the server's folder behind its back)
Every wait is bounded (60 s, or RAWFTP_CHAT_TIMEOUT): a bound for a server
that never answers, not a pause, so it is generous; a 30000-file listing
under ASan on a loaded machine took more than 10 s.  Exit status 0, or 3
when the server closed the connection before a reply was complete.
"""
import os
import socket
import subprocess
import sys
import time

TIMEOUT = float(os.environ.get("RAWFTP_CHAT_TIMEOUT", "60"))


def receive_rest(conn, f):
    """Writes what the data connection brings into f, until it closes."""
    while True:
        chunk = conn.recv(1 << 20)
        if not chunk:
            break
        f.write(chunk)


class Chat:
    def __init__(self, host, port):
        self.ctrl = socket.create_connection((host, int(port)), TIMEOUT)
        self.buf = b""
        self.data_addr = None
        self.listener = None
        self.read_reply()

    def line(self):
        while b"\n" not in self.buf:
            chunk = self.ctrl.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        text = line.rstrip(b"\r").decode("latin-1")
        print(text, flush=True)
        return text

    def read_reply(self):
        first = self.line()
        code = first[:3]
        if len(first) > 3 and first[3] == "-":
            while True:
                text = self.line()
                if text.startswith(code + " "):
                    break
        return first

    def send(self, text):
        self.ctrl.sendall(text.encode("latin-1") + b"\r\n")

    def command(self, text):
        self.send(text)
        return self.read_reply()

    def passive(self, verb):
        reply = self.command(verb)
        host = self.ctrl.getpeername()[0]
        if reply.startswith("227"):
            nums = reply[reply.index("(") + 1:reply.index(")")].split(",")
            n = [int(x) for x in nums]
            self.data_addr = (".".join(map(str, n[:4])), n[4] * 256 + n[5])
        elif reply.startswith("229"):
            inner = reply[reply.index("(") + 1:reply.index(")")]
            self.data_addr = (host, int(inner.strip("|")))

    def active(self, verb):
        local = self.ctrl.getsockname()[0]
        fam = socket.AF_INET6 if ":" in local else socket.AF_INET
        self.listener = socket.socket(fam, socket.SOCK_STREAM)
        self.listener.bind((local, 0))
        self.listener.listen(1)
        self.listener.settimeout(TIMEOUT)
        port = self.listener.getsockname()[1]
        if verb == "PORT":
            arg = ",".join(local.split(".") + [str(port // 256),
                                                str(port % 256)])
        else:
            arg = "|%d|%s|%d|" % (2 if fam == socket.AF_INET6 else 1,
                                  local, port)
        self.command("%s %s" % (verb, arg))

    def data_connect(self, small=False):
        if self.listener is not None:
            conn, _ = self.listener.accept()
            self.listener.close()
            self.listener = None
            conn.settimeout(TIMEOUT)
            return conn
        addr, self.data_addr = self.data_addr, None
        conn = socket.socket(socket.AF_INET6 if ":" in addr[0] else
                             socket.AF_INET, socket.SOCK_STREAM)
        if small:   # the server's writes then block soon: a slow reader
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        conn.settimeout(TIMEOUT)
        conn.connect(addr)
        return conn

    def transfer(self, path, cmd, upload):
        # connect before the command, as curl does, when passive
        early = self.data_connect() if self.data_addr else None
        first = self.command(cmd)
        if not first.startswith("1"):
            if early:
                early.close()
            return
        conn = early or self.data_connect()
        if upload:
            with open(path, "rb") as f:
                conn.sendall(f.read())
        else:
            with open(path, "wb") as f:
                receive_rest(conn, f)
        conn.close()
        self.read_reply()

    def abort(self, path, cmd, upload):
        early = self.data_connect(small=True) if self.data_addr else None
        first = self.command(cmd)
        if not first.startswith("1"):
            return
        conn = early or self.data_connect()
        if upload:
            with open(path, "rb") as f:
                conn.sendall(f.read(65536))
        else:
            with open(path, "wb") as f:
                f.write(conn.recv(65536))
        self.ctrl.sendall(b"\xff\xf4\xff")
        self.ctrl.send(b"\xf2", socket.MSG_OOB)
        self.ctrl.sendall(b"ABOR\r\n")
        self.read_reply()
        if not upload:
            # drain so the server is never blocked writing to us
            conn.settimeout(2)
            try:
                while conn.recv(1 << 20):
                    pass
            except OSError:
                pass
        conn.close()
        self.read_reply()

    def during(self, line, path, cmd):
        early = self.data_connect(small=True) if self.data_addr else None
        if not self.command(cmd).startswith("1"):
            return
        conn = early or self.data_connect()
        with open(path, "wb") as f:
            f.write(conn.recv(65536))
            self.send(line)
            receive_rest(conn, f)
        conn.close()
        self.read_reply()
        self.read_reply()

    def status(self, path, cmd, upload):
        if not self.command(cmd).startswith("1"):
            return
        self.command("STAT")            # waiting for the data connection
        conn = self.data_connect(small=True)
        with open(path, "rb" if upload else "wb") as f:
            if upload:
                conn.sendall(f.read(65536))
                time.sleep(0.2)         # let the server take it in
                self.command("STAT")    # in the middle of the transfer
                conn.sendall(f.read())
            else:
                f.write(conn.recv(65536))
                self.command("STAT")    # in the middle of the transfer
                receive_rest(conn, f)
        conn.close()
        self.read_reply()

    def midsh(self, path, cmd, shell):
        port = self.data_addr[1]
        conn = self.data_connect(small=True)
        if not self.command(cmd).startswith("1"):
            conn.close()
            return
        with open(path, "wb") as f:
            f.write(conn.recv(65536))
            env = dict(os.environ, CHAT_DATA_PORT=str(port))
            subprocess.run(shell, shell=True, check=True, timeout=TIMEOUT,
                           env=env)
            receive_rest(conn, f)
        conn.close()
        self.read_reply()

    def stall(self, cmd):
        conn = self.data_connect(small=True)
        if self.command(cmd).startswith("1"):
            self.read_reply()
        conn.close()

    def run(self, script):
        for raw in script:
            raw = raw.rstrip("\n")
            if not raw.startswith("!"):
                self.command(raw)
                continue
            word, _, rest = raw[1:].partition(" ")
            if word in ("pasv", "epsv"):
                self.passive(word.upper())
            elif word in ("port", "eprt"):
                self.active(word.upper())
            elif word in ("get", "put", "abort", "abortput"):
                path, _, cmd = rest.partition(" ")
                if word.startswith("abort"):
                    self.abort(path, cmd, word == "abortput")
                else:
                    self.transfer(path, cmd, word == "put")
            elif word == "during":
                line, _, rest = rest.partition(" ")
                path, _, cmd = rest.partition(" ")
                self.during(line, path, cmd)
            elif word in ("status", "statusput"):
                path, _, cmd = rest.partition(" ")
                self.status(path, cmd, word == "statusput")
            elif word == "midsh":
                path, _, rest = rest.partition(" ")
                cmd, _, shell = rest.partition(" | ")
                self.midsh(path, cmd, shell)
            elif word == "stall":
                self.stall(rest)
            elif word == "thief":
                t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                t.bind(("127.0.0.2", 0))
                t.settimeout(TIMEOUT)
                t.connect(self.data_addr)
                print("(thief connected from 127.0.0.2)")
                self.thief = t
            elif word == "raw":
                self.ctrl.sendall(eval(rest, {"__builtins__": {}}))
            elif word == "read":
                self.read_reply()
            elif word == "eof":
                try:
                    while True:
                        self.line()
                except EOFError:
                    print("(closed)")
                    return
            elif word == "sleep":
                time.sleep(float(rest))
            elif word == "sh":
                subprocess.run(rest, shell=True, check=True, timeout=TIMEOUT)


def main():
    try:
        Chat(sys.argv[1], sys.argv[2]).run(sys.stdin)
    except EOFError:
        print("(closed)")
        sys.exit(3)
    except OSError as e:
        print("(error: %s)" % e)
        sys.exit(4)


main()
