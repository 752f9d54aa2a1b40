"""Shared helpers of the vigil package's tests (run by ctest: python/CMakeLists.txt)."""

import json
import os
import subprocess
import tempfile
import unittest


def testdata(*parts):
    """A path in the shared conformance data; the test FAILS when it is missing."""
    root = os.environ.get("VIGIL_TESTDATA", os.path.join("..", "..", "..", "shared", "testdata"))
    path = os.path.join(root, *parts)
    if not os.path.exists(path):
        raise AssertionError("missing conformance data " + path +
                             " (VIGIL_TESTDATA must point at ../shared/testdata)")
    return path


def vigil_bin():
    path = os.environ.get("VIGIL_BIN")
    if not path or not os.access(path, os.X_OK):
        raise AssertionError("VIGIL_BIN must name the built vigil command (ctest sets it)")
    return path


PDQ_ONLY_POLICY = '[defaults]\nunmatched = "review"\n'

REG = ("pdq", "images-and-lists", "reg-test-input")


def run_vigil(store, *args, check=True):
    """Runs `vigil --store STORE ARGS...`; returns the CompletedProcess."""
    done = subprocess.run([vigil_bin(), "--store", store, *args], capture_output=True,
                          text=True, timeout=300)
    if check and done.returncode != 0:
        raise AssertionError("vigil %s failed (%d): %s" % (" ".join(args), done.returncode,
                                                          done.stderr))
    return done


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="vigil-py-")
        self.tmp = self._tmp.name
        self.store = os.path.join(self.tmp, "store.db")
        self.lists = os.path.join(self.tmp, "lists")  # the store's lists folder

    def tearDown(self):
        self._tmp.cleanup()

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def import_list(self, bank, type_, values, fmt="plain", **options):
        path = self.write(bank + "-" + type_ + ".txt", "\n".join(values) + "\n")
        args = ["lists", "import", "--format", fmt, "--type", type_, "--bank", bank]
        for key, value in options.items():
            args += ["--" + key, str(value)]
        run_vigil(self.store, *args, path)

    def scan_json(self, *paths, store=True):
        policy = self.write("policy.toml", PDQ_ONLY_POLICY)
        args = ["scan", "--json", "--policy", policy, *paths]
        if not store:
            args.insert(2, "--no-store")
        done = run_vigil(self.store, *args)
        return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
