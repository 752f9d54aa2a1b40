"""vigil.Store: a workstation store's items, detections, decisions and reveals as plain
records, read-only; a file that is not a store raises vigil.Error."""

import hashlib
import os
import sqlite3
import unittest

import vigil
from support import REG, TempDirTest, run_vigil, testdata

BRIDGE = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22"


def file_digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class StoreRecordsTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.import_list("demo", "pdq", [BRIDGE], category="A1", severity=5)
        self.rotated = os.path.realpath(testdata(*REG, "dih", "bridge-2-rotate-90.jpg"))
        self.other = os.path.realpath(testdata(*REG, "pen-and-coaster.png"))
        self.scan_json(self.rotated, self.other)

    def test_items_and_detections(self):
        store = vigil.Store(self.store)
        items = {i["last_path"]: i for i in store.items()}
        self.assertEqual(set(items), {self.rotated, self.other})
        with open(self.other, "rb") as f:
            self.assertEqual(items[self.other]["sha256"], hashlib.sha256(f.read()).hexdigest())
        self.assertEqual(items[self.other]["outcome"], "clear")
        self.assertEqual(items[self.rotated]["outcome"], "review")
        self.assertEqual((items[self.rotated]["width"], items[self.rotated]["height"]),
                         (1004, 1600))
        self.assertIsNone(items[self.other]["error"])
        self.assertIsInstance(items[self.other]["size"], int)
        [detection] = store.detections()
        self.assertEqual(detection["item_id"], items[self.rotated]["id"])
        self.assertEqual((detection["detector"], detection["label"], detection["bank"],
                          detection["category"]), ("vigil.pdq", "hash-match", "demo", "A1"))
        self.assertIsInstance(detection["score"], float)
        self.assertEqual(detection["score"], 1.0 - detection["distance"] / 256.0)
        self.assertEqual(store.decisions(), [])
        self.assertEqual(store.reveals(), [])

    def test_decisions_and_reveals(self):
        item = [i for i in vigil.Store(self.store).items() if i["last_path"] == self.rotated][0]
        run_vigil(self.store, "queue", "claim", "--reviewer", "ana")
        run_vigil(self.store, "queue", "decide", "--reviewer", "ana", str(item["id"]), "A1")
        # Reveals come from the console; the fixture records one as it would.
        with sqlite3.connect(self.store) as db:
            db.execute("INSERT INTO reveals (reviewer, item_id, x, y, w, h, started_at, "
                       "duration_ms) VALUES ('ana', ?, 0.25, 0.5, NULL, NULL, "
                       "'2026-12-07T10:00:00Z', 1500)", (item["id"],))
        db.close()
        store = vigil.Store(self.store)
        [decision] = store.decisions()
        self.assertEqual((decision["item_id"], decision["reviewer"], decision["decision"]),
                         (item["id"], "ana", "A1"))
        [reveal] = store.reveals()
        self.assertEqual((reveal["item_id"], reveal["reviewer"], reveal["duration_ms"]),
                         (item["id"], "ana", 1500))
        self.assertEqual((reveal["x"], reveal["y"], reveal["w"]), (0.25, 0.5, None))

    def test_records_are_pandas_friendly(self):
        records = vigil.Store(self.store).items()
        for record in records:
            self.assertIsInstance(record, dict)
            self.assertEqual(list(record), list(records[0]))  # same columns, same order
            for value in record.values():
                self.assertIsInstance(value, (int, float, str, type(None)))

    def test_reading_changes_nothing(self):
        before = file_digest(self.store)
        store = vigil.Store(self.store)
        self.assertGreater(store.schema_version, 0)
        store.items(), store.detections(), store.decisions(), store.reveals()
        del store
        self.assertEqual(file_digest(self.store), before)


class StoreErrorsTest(TempDirTest):
    def test_missing_store(self):
        with self.assertRaisesRegex(vigil.Error, "absent.db: no such store"):
            vigil.Store(os.path.join(self.tmp, "absent.db"))
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "absent.db")))

    def test_a_file_that_is_not_a_database(self):
        path = self.write("notes.db", "just some text, not SQLite\n" * 100)
        with self.assertRaises(vigil.Error) as raised:
            vigil.Store(path)
        self.assertIn("not a usable Vigil store", str(raised.exception))
        self.assertNotIn("\n", str(raised.exception))

    def test_another_programs_database(self):
        path = os.path.join(self.tmp, "other.db")
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE recipes (name TEXT)")
        db.close()
        with self.assertRaises(vigil.Error) as raised:
            vigil.Store(path)
        self.assertIn(path, str(raised.exception))

    def test_an_empty_sqlite_file_is_not_a_store(self):
        path = self.write("empty.db", "")
        with self.assertRaisesRegex(vigil.Error, "not a Vigil store"):
            vigil.Store(path)


if __name__ == "__main__":
    unittest.main()
