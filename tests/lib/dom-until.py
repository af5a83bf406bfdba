#!/usr/bin/python3
"""dom-until.py - open a page in headless chromium and read its DOM until a
pattern is in it, for the web view's tests.

usage: dom-until.py [STEP...] PATTERN URL OUT [SECONDS] [PROFILE]

The page stays open while its script runs (the live view fills itself
from a Server-Sent Events stream); its DOM is read again every 100 ms
through the DevTools protocol over a pipe (--remote-debugging-pipe: JSON
messages ending in NUL on descriptors 3 and 4), until PATTERN (a Python
regular expression) is in it, or SECONDS (default 60) have passed.  The
last DOM read is written to OUT.  Exit 0 when found, 1 when not, 2 when
chromium would not start or answer.

After PATTERN is found, the STEPs are done in order, in the same page:
  --run CMD        run a shell command (a new FTP session, say)
  --key KEY        press a key ("s", "ArrowRight"): a keydown to the page
  --until PATTERN  read the DOM again until PATTERN is in it
  --screenshot PNG the page as it is now, 1400x900, into the file PNG
  --boxes SELECTOR=FILE  where each element the CSS selector matches is
                   drawn, a line each into FILE: left top width height
                   (pixels) and its text
all within the same SECONDS.  The page is 1400x900 from the start.

One chromium for many pages: `dom-until.py --serve SOCKET PROFILE` starts
chromium once and answers requests on the Unix socket SOCKET, one at a
time, for as long as it is not stopped (at most an hour idle).  With
RAWFTP_BROWSER=SOCKET in its environment, dom-until.py hands its
arguments (and its folder and environment, for --run) to that server
instead of starting a chromium of its own: a start costs 1.4 CPU s on
CI's machine kind, a page in a running browser a fraction of that.  It
starts its own when nothing answers on SOCKET.

Why not chromium --dump-dom: it dumps at the page's load event, before
the stream has brought anything when the machine is busy; no waiting
flag (--timeout, --virtual-time-budget) waits for a stream.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser, Page  # noqa: E402

USAGE = "usage: dom-until.py [STEP...] PATTERN URL OUT [SECONDS] [PROFILE]"
IDLE_SECONDS = 3600  # a server nobody asks for an hour stops


def parse(args):
    steps = []
    while args and args[0] in ("--run", "--key", "--until", "--screenshot",
                               "--boxes"):
        if len(args) < 2:
            raise ValueError("%s needs a value" % args[0])
        steps.append((args[0][2:], args[1]))
        args = args[2:]
    if len(args) < 3:
        raise ValueError(USAGE)
    return steps, args


def seconds_of(rest):
    """The bound of PATTERN URL OUT [SECONDS]: 60 s unless given."""
    return float(rest[3]) if len(rest) > 3 else 60


def visit(browser, steps, pattern, url, out, seconds):
    """The page at url in browser, read until pattern, then the steps;
    its last DOM into the file out.  Returns (exit status, message)."""
    deadline = time.time() + seconds
    page, status, message = None, 0, ""
    try:
        page = Page(browser, url, deadline)
        page.until(pattern)
        for what, value in steps:
            if what == "boxes":
                page.boxes(*value.rsplit("=", 1))
            else:
                getattr(page, what)(value)
    except (TimeoutError, EOFError, RuntimeError,
            subprocess.TimeoutExpired) as e:
        status = 1 if page and page.dom else 2
        message = "dom-until: %s" % e
    with open(out, "w") as f:
        f.write(page.dom if page else "")
    if page:
        page.close()
    return status, message


def alone(args):
    """dom-until with a chromium of its own."""
    steps, rest = parse(args)
    pattern, url, out = rest[0], rest[1], rest[2]
    seconds = seconds_of(rest)
    profile = rest[4] if len(rest) > 4 else out + ".profile"
    browser = Browser(profile)
    status, message = visit(browser, steps, pattern, url, out, seconds)
    browser.close()
    return status, message


def ask_server(path, args):
    """The request to the server on the socket path; None when nothing
    answers there."""
    _, rest = parse(args)
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(path)
    except OSError:
        return None
    # the page's own bound, and as long again for the server to get to
    # it: a server that hangs is a failure, not a hung test
    s.settimeout(2 * seconds_of(rest) + 30)
    request = {"args": args, "cwd": os.getcwd(), "env": dict(os.environ)}
    s.sendall(json.dumps(request).encode())
    s.shutdown(socket.SHUT_WR)
    answer = json.loads(read_to_end(s))
    return answer["status"], answer["message"]


def read_to_end(conn):
    """What conn brings until its end of file: one message a side."""
    data = b""
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk


def answer(browser, conn):
    """One request: read whole, done in the asker's folder and
    environment (a --run step is its command), answered as JSON."""
    request = json.loads(read_to_end(conn))
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    try:
        steps, rest = parse(request["args"])
        status, message = visit(browser, steps, rest[0], rest[1], rest[2],
                                seconds_of(rest))
    except ValueError as e:
        status, message = 2, "dom-until: %s" % e
    conn.sendall(json.dumps({"status": status, "message": message}).encode())


def serve(path, profile):
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(path)
    listener.listen(8)
    listener.settimeout(IDLE_SECONDS)
    browser = Browser(profile)
    # stopped by its PID (the test's teardown): chromium, in a session
    # of its own, goes with it
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        loop(listener, browser)
    finally:
        browser.close()


def loop(listener, browser):
    while True:
        try:
            conn, _ = listener.accept()
        except socket.timeout:
            break
        with conn:
            answer(browser, conn)
        if browser.proc.poll() is not None:
            break  # chromium died: the askers start their own


def main():
    args = sys.argv[1:]
    if args[:1] == ["--serve"] and len(args) == 3:
        serve(args[1], args[2])
        return
    server = os.environ.get("RAWFTP_BROWSER")
    try:
        result = ask_server(server, args) if server else None
        if result is None:
            result = alone(args)
    except ValueError as e:
        result = (2, "dom-until: %s" % e)
    except socket.timeout:
        result = (2, "dom-until: the browser server did not answer")
    status, message = result
    if message:
        print(message, file=sys.stderr)
    sys.exit(status)


main()
