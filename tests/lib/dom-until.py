#!/usr/bin/python3
"""dom-until.py - open a page in headless chromium and read its DOM until a
pattern is in it, for the web view's tests.

usage: dom-until.py PATTERN URL OUT [SECONDS] [PROFILE]

The page stays open while its script runs (the live view fills itself
from a Server-Sent Events stream); its DOM is read again every 100 ms
through the DevTools protocol over a pipe (--remote-debugging-pipe: JSON
messages ending in NUL on descriptors 3 and 4), until PATTERN (a Python
regular expression) is in it, or SECONDS (default 60) have passed.  The
last DOM read is written to OUT.  Exit 0 when found, 1 when not, 2 when
chromium would not start or answer.

Why not chromium --dump-dom: it dumps at the page's load event, before
the stream has brought anything when the machine is busy; no waiting
flag (--timeout, --virtual-time-budget) waits for a stream.
"""
import json
import os
import re
import subprocess
import sys
import time


class Browser:
    def __init__(self, profile):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        os.set_inheritable(to_chrome_r, True)
        os.set_inheritable(from_chrome_w, True)

        def fds():  # chromium reads fd 3, writes fd 4
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)
            os.setsid()

        self.proc = subprocess.Popen(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
             "--remote-debugging-pipe", "--user-data-dir=" + profile,
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, preexec_fn=fds, close_fds=False)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf = b""
        self.next_id = 0

    def call(self, method, params=None, session=None, deadline=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self.message(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"]))
                return reply.get("result", {})

    def message(self, deadline):
        import select
        while b"\0" not in self.buf:
            left = (deadline or time.time() + 30) - time.time()
            if left <= 0:
                raise TimeoutError("chromium did not answer")
            ready, _, _ = select.select([self.from_chrome], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.from_chrome, 1 << 16)
            if not chunk:
                raise EOFError("chromium closed its pipe")
            self.buf += chunk
        raw, _, self.buf = self.buf.partition(b"\0")
        return json.loads(raw)

    def close(self):
        try:
            os.killpg(self.proc.pid, 9)
        except OSError:
            pass
        self.proc.wait()


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: dom-until.py PATTERN URL OUT [SECONDS] [PROFILE]")
    pattern = re.compile(sys.argv[1])
    url, out = sys.argv[2], sys.argv[3]
    seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 60
    profile = sys.argv[5] if len(sys.argv) > 5 else out + ".profile"
    deadline = time.time() + seconds
    browser = Browser(profile)
    dom = ""
    try:
        target = browser.call("Target.createTarget", {"url": url},
                              deadline=deadline)["targetId"]
        session = browser.call("Target.attachToTarget",
                               {"targetId": target, "flatten": True},
                               deadline=deadline)["sessionId"]
        while True:
            result = browser.call(
                "Runtime.evaluate",
                {"expression": "document.documentElement.outerHTML",
                 "returnByValue": True}, session, deadline)
            dom = result.get("result", {}).get("value") or dom
            if pattern.search(dom):
                break
            if time.time() + 0.1 >= deadline:
                raise TimeoutError("not in the page: " + sys.argv[1])
            time.sleep(0.1)
    except (TimeoutError, EOFError, RuntimeError) as e:
        with open(out, "w") as f:
            f.write(dom)
        print("dom-until: %s" % e, file=sys.stderr)
        browser.close()
        sys.exit(1 if dom else 2)
    with open(out, "w") as f:
        f.write(dom)
    browser.close()


main()
