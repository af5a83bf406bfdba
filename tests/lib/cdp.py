"""cdp.py - headless chromium driven over the DevTools protocol, for the
web view's tests (tests/lib/dom-until.py) and its benchmark
(bench/web-bench).

chromium is started with --remote-debugging-pipe: it reads JSON messages
ending in NUL on its descriptor 3 and writes its answers on 4.  A Page is
one tab: its DOM read, a key pressed, a script of ours evaluated in it
(the DevTools protocol is not held by the page's Content-Security-Policy,
which forbids inline script to the page itself).

It runs as one process (--single-process --no-zygote): the renderer,
GPU and network services as threads of the browser.  That starts in
about half the CPU time (1.4 CPU s against 2.8 on a 2-core machine of
CI's kind, per start), and the one process is what the caller waits
for, so its CPU is counted where the test suite counts it.
"""
import base64
import json
import os
import re
import select
import subprocess
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
             "--single-process", "--no-zygote",
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
    """A tab of WIDTH x HEIGHT (1400x900) from the start, so the page
    lays itself out at that size before it draws."""
    def __init__(self, browser, url, deadline, width=1400, height=900):
        self.browser, self.deadline, self.dom = browser, deadline, ""
        self.target = browser.call("Target.createTarget",
                                   {"url": "about:blank"},
                                   deadline=deadline)["targetId"]
        self.session = browser.call("Target.attachToTarget",
                                    {"targetId": self.target, "flatten": True},
                                    deadline=deadline)["sessionId"]
        self.size(width, height)
        browser.call("Page.navigate", {"url": url}, self.session, deadline)

    def size(self, width, height):
        self.browser.call("Emulation.setDeviceMetricsOverride",
                          {"width": width, "height": height,
                           "deviceScaleFactor": 1, "mobile": False},
                          self.session, self.deadline)

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

    def close(self):
        """The tab closed: the browser goes on without it."""
        try:
            self.browser.call("Target.closeTarget",
                              {"targetId": self.target},
                              deadline=time.time() + 10)
        except (TimeoutError, EOFError, RuntimeError):
            pass

    def key(self, name):
        self.browser.call("Input.dispatchKeyEvent", key_event(name),
                          self.session, self.deadline)

    def evaluate(self, expression):
        result = self.browser.call(
            "Runtime.evaluate", {"expression": expression,
                                 "returnByValue": True},
            self.session, self.deadline)
        return result.get("result", {}).get("value")

    def screenshot(self, path, width=1400, height=900):
        self.size(width, height)
        shot = self.browser.call("Page.captureScreenshot", {"format": "png"},
                                 self.session, self.deadline)
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))

    def boxes(self, selector, path):
        """Where each element that selector matches is drawn, a line each
        into the file path: left top width height (CSS pixels of the
        page as shown) and its text.  Asked of the DevTools DOM domain:
        no script runs in the page for it."""
        call = self.browser.call
        root = call("DOM.getDocument", {"depth": 0}, self.session,
                    self.deadline)["root"]["nodeId"]
        nodes = call("DOM.querySelectorAll",
                     {"nodeId": root, "selector": selector}, self.session,
                     self.deadline)["nodeIds"]
        with open(path, "w") as f:
            for node in nodes:
                quads = call("DOM.getContentQuads", {"nodeId": node},
                             self.session, self.deadline)["quads"]
                html = call("DOM.getOuterHTML", {"nodeId": node},
                            self.session, self.deadline)["outerHTML"]
                xs, ys = quads[0][0::2], quads[0][1::2]
                f.write("%.1f %.1f %.1f %.1f %s\n" % (
                    min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys),
                    re.sub("<[^>]*>", "", html)))

    def run(self, command):
        left = max(1, self.deadline - time.time())
        if subprocess.run(command, shell=True, timeout=left).returncode:
            raise RuntimeError("this step failed: " + command)
