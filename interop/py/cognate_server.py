"""Starts `cognate serve` for the Python interop tests.

The binary is $COGNATE_BIN (exported by scripts/test), else target/debug/cognate. The server
listens on an ephemeral loopback port (dev mode: admin calls with any SigV4 signature are
accepted, codes are readable at /_cognate/outbox) with a temporary data directory, and is
stopped with SIGTERM.
"""

import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import boto3
import requests
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("COGNATE_BIN") or str(ROOT / "target" / "debug" / "cognate")
REGION = "us-east-1"


class CognateServer:
    """One `cognate serve` process."""

    def __init__(self, config_toml=None):
        self.dir = tempfile.mkdtemp(prefix="cognate-interop-py-")
        self.config_toml = config_toml
        self.proc = None
        self.url = None
        self.stdout_lines = []
        self.stderr_lines = []

    def start(self, timeout=60):
        args = [BIN, "serve", "--listen", "127.0.0.1:0", "--data", os.path.join(self.dir, "data")]
        if self.config_toml is not None:
            path = os.path.join(self.dir, "cognate.toml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(self.config_toml)
            args += ["--config", path]
        env = dict(os.environ, RUST_LOG=os.environ.get("RUST_LOG", "info"))
        self.proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        lines = queue.Queue()

        def pump(stream, keep, q):
            for line in stream:
                keep.append(line.rstrip("\n"))
                if q is not None:
                    q.put(line)

        threading.Thread(
            target=pump, args=(self.proc.stdout, self.stdout_lines, lines), daemon=True
        ).start()
        threading.Thread(
            target=pump, args=(self.proc.stderr, self.stderr_lines, None), daemon=True
        ).start()
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                line = lines.get(timeout=max(left, 0.01))
            except queue.Empty:
                self.stop()
                raise RuntimeError(
                    "cognate serve did not start:\n"
                    + "\n".join(self.stdout_lines + self.stderr_lines)
                )
            if line.startswith("listening on http://"):
                self.url = line.split("listening on ", 1)[1].strip()
                return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def client(self):
        """A boto3 cognito-idp client with only the endpoint changed and dummy credentials."""
        return boto3.client(
            "cognito-idp",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"max_attempts": 1}),
        )

    def issuer(self, pool_id):
        return f"{self.url}/{pool_id}"

    def outbox(self, pool_id, username):
        query = urllib.parse.urlencode({"pool": pool_id, "username": username})
        r = requests.get(f"{self.url}/_cognate/outbox?{query}", timeout=10)
        r.raise_for_status()
        return r.json()["messages"]

    def last_code(self, pool_id, username):
        messages = self.outbox(pool_id, username)
        assert messages, f"no message sent to {username} in {pool_id}"
        return messages[-1]["code"]

    def get_json(self, path):
        r = requests.get(f"{self.url}{path}", timeout=10)
        r.raise_for_status()
        return json.loads(r.text)
