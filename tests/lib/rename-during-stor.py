#!/usr/bin/python3
"""rename-during-stor.py - a STOR over a file while a second session of
the same account renames that file away, for the quota test of
tests/labd-limits.bats.

usage: rename-during-stor.py HOST PORT USER PASSWORD NAME NEWNAME BYTES

Session 1 sends STOR NAME (passive) and, once the 150 came (the server
has counted the old file as freed), its first 1000 bytes; session 2
then sends RNFR NAME and RNTO NEWNAME; session 1 sends the rest of its
BYTES and closes the data connection.  Prints session 2's two replies,
then session 1's final reply, one a line.  Every wait is bounded (10 s).
"""
import socket
import sys


class Control:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=10)
        self.file = self.sock.makefile("rb")
        self.reply()

    def reply(self):
        """The whole reply (multi-line aware), its last line returned."""
        line = self.file.readline().decode("latin-1").rstrip("\r\n")
        if line[3:4] == "-":
            end = line[:3] + " "
            while not line.startswith(end):
                line = self.file.readline().decode("latin-1").rstrip("\r\n")
        return line

    def command(self, text):
        self.sock.sendall(text.encode("latin-1") + b"\r\n")
        return self.reply()

    def login(self, user, password):
        self.command("USER " + user)
        return self.command("PASS " + password)


def data_address(reply):
    """The host and port of a 227 reply."""
    numbers = reply[reply.index("(") + 1:reply.index(")")].split(",")
    return ".".join(numbers[:4]), int(numbers[4]) * 256 + int(numbers[5])


def main():
    host, port, user, password, name, newname, size = sys.argv[1:8]
    port, size = int(port), int(size)
    storing, renaming = Control(host, port), Control(host, port)
    storing.login(user, password)
    renaming.login(user, password)
    data = socket.create_connection(data_address(storing.command("PASV")),
                                    timeout=10)
    opened = storing.command("STOR " + name)
    if not opened.startswith("150"):
        print(opened)
        return 1
    data.sendall(b"y" * 1000)
    print(renaming.command("RNFR " + name))
    print(renaming.command("RNTO " + newname))
    data.sendall(b"y" * (size - 1000))
    data.close()
    print(storing.reply())
    storing.command("QUIT")
    renaming.command("QUIT")
    return 0


sys.exit(main())
