"""`learncircle serve` in its own process, as an operator starts it, with its output read as it comes."""
import os
import queue
import socket
import subprocess
import sys
import threading
import time

import requests


def free_port(host="127.0.0.1"):
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class Served:
    """A running `learncircle serve`; .url, .process, and its stdout and stderr lines so far."""

    def __init__(self, instance, *args, env=None, port=None, ready_path="/static/app.css"):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        full_env = {key: value for key, value in os.environ.items() if not key.startswith("LEARNCIRCLE_")}
        full_env.update(LEARNCIRCLE_INSTANCE_PATH=str(instance), PYTHONUNBUFFERED="1", **(env or {}))
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from learncircle.cli import main; main(prog_name='learncircle')",
             "serve", "--host", "127.0.0.1", "--port", str(self.port), *args],
            env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.stdout, self.stderr = [], []
        self._lines = queue.Queue()
        self._readers = [threading.Thread(target=self._read, args=(stream, kept), daemon=True)
                         for stream, kept in ((self.process.stdout, self.stdout), (self.process.stderr, self.stderr))]
        for reader in self._readers:
            reader.start()
        self._wait_until_answering(ready_path)

    def _read(self, stream, kept):
        for line in stream:
            kept.append(line.rstrip("\n"))
            self._lines.put(line)

    def _wait_until_answering(self, path, seconds=30):
        deadline = time.monotonic() + seconds
        while True:
            if self.process.poll() is not None:
                self.finish()
                raise AssertionError(f"serve exited with {self.process.returncode}:\n{self.output()}")
            try:
                requests.get(self.url + path, allow_redirects=False, timeout=1)
                return
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"serve did not answer within {seconds} seconds:\n{self.output()}") from None
                time.sleep(0.05)

    def wait_for_line(self, text, seconds=10):
        """Block until a line containing text has been printed (stdout or stderr); return it."""
        deadline = time.monotonic() + seconds
        for line in self.stdout + self.stderr:
            if text in line:
                return line
        while True:
            try:
                line = self._lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                raise AssertionError(f"serve never printed {text!r}:\n{self.output()}") from None
            if text in line:
                return line

    def output(self):
        return "\n".join(self.stdout + ["--- stderr ---"] + self.stderr)

    def finish(self, timeout=20, stop=True):
        """SIGTERM (if still running and stop), wait for the exit, collect the rest of the output; the exit code."""
        if stop and self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for reader in self._readers:
            reader.join(timeout=5)
        self.process.stdout.close()
        self.process.stderr.close()
        return self.process.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.finish()
