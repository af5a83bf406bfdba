#!/usr/bin/python3
"""slow-stor.py - an ftplib client that uploads for ever, slowly.

usage: slow-stor.py HOST PORT NAME

Logs in as anonymous and sends STOR NAME in passive mode, then 16 KiB of
data every 10 ms, never finishing: a test kills it with SIGKILL at some
moment and checks what the server made of the half upload.  Prints
"uploading" once the data connection is open.
"""
import ftplib
import sys
import time


class Endless:
    def __init__(self):
        self.first = True

    def read(self, size):
        if self.first:
            print("uploading", flush=True)
            self.first = False
        else:
            time.sleep(0.01)
        return b"x" * 16384


def main():
    host, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    ftp = ftplib.FTP()
    ftp.connect(host, port, timeout=10)
    ftp.login()
    ftp.storbinary("STOR " + name, Endless(), blocksize=16384)


main()
