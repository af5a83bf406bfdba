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

Why not chromium --dump-dom: it dumps at the page's load event, before
the stream has brought anything when the machine is busy; no waiting
flag (--timeout, --virtual-time-budget) waits for a stream.
"""
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser, Page  # noqa: E402


def parse(args):
    steps = []
    while args and args[0] in ("--run", "--key", "--until", "--screenshot",
                               "--boxes"):
        if len(args) < 2:
            sys.exit("dom-until: %s needs a value" % args[0])
        steps.append((args[0][2:], args[1]))
        args = args[2:]
    if len(args) < 3:
        sys.exit("usage: dom-until.py [STEP...] PATTERN URL OUT [SECONDS] "
                 "[PROFILE]")
    return steps, args


def main():
    steps, args = parse(sys.argv[1:])
    pattern, url, out = args[0], args[1], args[2]
    seconds = float(args[3]) if len(args) > 3 else 60
    profile = args[4] if len(args) > 4 else out + ".profile"
    deadline = time.time() + seconds
    browser = Browser(profile)
    page = None
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
        dom = page.dom if page else ""
        with open(out, "w") as f:
            f.write(dom)
        print("dom-until: %s" % e, file=sys.stderr)
        browser.close()
        sys.exit(1 if dom else 2)
    with open(out, "w") as f:
        f.write(page.dom)
    browser.close()


main()
