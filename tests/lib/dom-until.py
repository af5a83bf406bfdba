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
all within the same SECONDS.

Why not chromium --dump-dom: it dumps at the page's load event, before
the stream has brought anything when the machine is busy; no waiting
flag (--timeout, --virtual-time-budget) waits for a stream.
"""
import json
import os
import re
import select
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


# The keys the tests press: what a keydown event carries for each.
KEYS = {"ArrowRight": {"key": "ArrowRight", "code": "ArrowRight",
                       "windowsVirtualKeyCode": 39},
        "ArrowLeft": {"key": "ArrowLeft", "code": "ArrowLeft",
                      "windowsVirtualKeyCode": 37}}


def key_event(name):
    if name in KEYS:
        return dict(KEYS[name], type="rawKeyDown")
    return {"type": "keyDown", "key": name, "text": name}


class Page:
    def __init__(self, browser, url, deadline):
        self.browser, self.deadline, self.dom = browser, deadline, ""
        target = browser.call("Target.createTarget", {"url": url},
                              deadline=deadline)["targetId"]
        self.session = browser.call("Target.attachToTarget",
                                    {"targetId": target, "flatten": True},
                                    deadline=deadline)["sessionId"]

    def until(self, pattern):
        regex = re.compile(pattern)
        while True:
            result = self.browser.call(
                "Runtime.evaluate",
                {"expression": "document.documentElement.outerHTML",
                 "returnByValue": True}, self.session, self.deadline)
            self.dom = result.get("result", {}).get("value") or self.dom
            if regex.search(self.dom):
                return
            if time.time() + 0.1 >= self.deadline:
                raise TimeoutError("not in the page: " + pattern)
            time.sleep(0.1)

    def key(self, name):
        self.browser.call("Input.dispatchKeyEvent", key_event(name),
                          self.session, self.deadline)

    def run(self, command):
        left = max(1, self.deadline - time.time())
        if subprocess.run(command, shell=True, timeout=left).returncode:
            raise RuntimeError("this step failed: " + command)


def parse(args):
    steps = []
    while args and args[0] in ("--run", "--key", "--until"):
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
