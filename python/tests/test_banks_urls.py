"""vigil.Banks and vigil.UrlLists: the banks and URL lists `vigil lists import` writes,
matched as the hash and URL plugins match them; damaged files raise vigil.Error."""

import hashlib
import os
import shutil
import unittest

import vigil
from support import REG, TempDirTest, run_vigil, testdata

BRIDGE = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22"


def distance(a, b):
    return bin(int(a, 16) ^ int(b, 16)).count("1")


class BanksTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.import_list("demo", "pdq", [BRIDGE], category="A1", severity=5)
        self.bank_file = os.path.join(self.lists, "hash-banks", "demo.bank")

    def test_a_folder_and_a_file_open_the_same_bank(self):
        for banks in (vigil.Banks(self.lists), vigil.Banks(self.bank_file)):
            self.assertEqual(banks.names(), ["demo"])
            self.assertEqual(len(banks), 1)

    def test_pdq_matches_in_every_orientation_like_the_plugin(self):
        banks = vigil.Banks(self.lists)
        rotated = vigil.pdq(testdata(*REG, "dih", "bridge-2-rotate-90.jpg"))
        # Unrotated the hash is far from the entry; one of its dihedral variants is close.
        self.assertEqual(banks.match_pdq(rotated.hash), [])
        matches = banks.match_pdq(rotated)
        self.assertEqual(len(matches), 1)
        m = matches[0]
        self.assertEqual((m["bank"], m["entry_id"], m["category"], m["severity"]),
                         ("demo", "0", "A1", 5))
        self.assertEqual(m["value"], BRIDGE)
        self.assertEqual(m["distance"], distance(rotated.dihedral[m["variant"]], BRIDGE))
        # The same match `vigil scan` records through the vigil.pdq plugin.
        line = self.scan_json(testdata(*REG, "dih", "bridge-2-rotate-90.jpg"), store=False)[0]
        [detection] = [d for d in line["detections"] if d["detector"] == "vigil.pdq"]
        self.assertEqual((detection["distance"], detection["dihedral"], detection["bank"]),
                         (m["distance"], m["variant"], "demo"))

    def test_threshold_bounds_the_distance(self):
        banks = vigil.Banks(self.lists)
        near = vigil.pdq(testdata("pdq", "images-and-lists", "bridge-mods", "sharpen-a-lot.jpg"))
        d = distance(near.hash, BRIDGE)
        self.assertGreater(d, 0)
        self.assertEqual(len(banks.match_pdq(near.hash, threshold=d)), 1)
        self.assertEqual(banks.match_pdq(near.hash, threshold=d - 1), [])
        far = vigil.pdq(testdata(*REG, "pen-and-coaster.png"))
        self.assertEqual(banks.match_pdq(far), [])

    def test_exact_digests(self):
        path = testdata(*REG, "pen-and-coaster.png")
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        self.import_list("digests", "sha256", [digest], category="B1")
        banks = vigil.Banks(self.lists)
        self.assertEqual(sorted(banks.names()), ["demo", "digests"])
        [m] = banks.match(digest)
        self.assertEqual((m["bank"], m["category"], m["distance"]), ("digests", "B1", 0))
        self.assertEqual(banks.match(digest.upper())[0]["value"], digest)
        self.assertEqual(banks.match("0" * 64), [])

    def test_bad_values_are_errors(self):
        banks = vigil.Banks(self.lists)
        with self.assertRaisesRegex(vigil.Error, "match_pdq: 'abc'"):
            banks.match_pdq("abc")
        with self.assertRaisesRegex(ValueError, "1 to 8"):
            banks.match_pdq([BRIDGE] * 9)
        with self.assertRaisesRegex(ValueError, "threshold"):
            banks.match_pdq(BRIDGE, threshold=300)
        with self.assertRaisesRegex(ValueError, "unknown hash type 'crc32'"):
            banks.match("00", type="crc32")
        with self.assertRaisesRegex(vigil.Error, "md5"):
            banks.match("abcd", type="md5")

    def test_a_corrupt_bank_is_refused_with_its_name(self):
        # One bit of the stored hash value flipped: a different entry, caught by the
        # section checksums before any match could use it.
        with open(self.bank_file, "rb") as f:
            data = bytearray(f.read())
        stored = bytes.fromhex(BRIDGE)
        at = data.find(stored)
        if at < 0:  # stored as four 64-bit little-endian words
            at = data.find(bytes.fromhex(BRIDGE[:16])[::-1])
        self.assertGreaterEqual(at, 0, "the entry's hash is not in the bank file")
        data[at + 3] ^= 0x10
        damaged = os.path.join(self.tmp, "damaged.bank")
        with open(damaged, "wb") as f:
            f.write(data)
        with self.assertRaises(vigil.Error) as raised:
            vigil.Banks(damaged)
        self.assertIn("damaged.bank", str(raised.exception))
        self.assertNotIn("\n", str(raised.exception))
        truncated = os.path.join(self.tmp, "truncated.bank")
        with open(self.bank_file, "rb") as f, open(truncated, "wb") as out:
            out.write(f.read(40))
        with self.assertRaisesRegex(vigil.Error, "truncated.bank"):
            vigil.Banks(truncated)
        # In a lists folder the damaged bank fails the whole set, as it fails a scan.
        shutil.copyfile(damaged, os.path.join(self.lists, "hash-banks", "broken.bank"))
        with self.assertRaisesRegex(vigil.Error, "broken.bank"):
            vigil.Banks(self.lists)

    def test_missing_paths_are_errors(self):
        with self.assertRaisesRegex(vigil.Error, "absent.bank: no such"):
            vigil.Banks(os.path.join(self.tmp, "absent.bank"))
        with self.assertRaises(TypeError):
            vigil.Banks()


class UrlTest(TempDirTest):
    def test_canonical_forms(self):
        cases = {
            "HTTP://Example.COM/a/../b#frag": "http://example.com/b",
            "http://www.GOOgle.com/": "http://www.google.com/",
            "http://3279880203/blah": "http://195.127.0.11/blah",
            "http://www.google.com/blah/..": "http://www.google.com/",
            "http://host.test//a//b/./c": "http://host.test/a/b/c",
        }
        for url, canonical in cases.items():
            self.assertEqual(vigil.canonicalize_url(url), canonical, url)

    def test_a_url_that_cannot_be_canonicalised_is_an_error(self):
        with self.assertRaises(vigil.Error) as raised:
            vigil.canonicalize_url("http://")
        self.assertIn("'http://'", str(raised.exception))

    def test_check_against_imported_lists(self):
        self.import_list("bad-urls", "url", ["http://bad.example.test/path/page.html"],
                         category="A2", severity=4)
        path = self.write("domains.txt", "*.evil.example.test\n")
        run_vigil(self.store, "lists", "import", "--format", "domains", "--bank", "evil", path)
        lists = vigil.UrlLists(self.lists)
        self.assertEqual(sorted(lists.names()), ["bad-urls", "evil"])
        [hit] = lists.check("HTTP://BAD.example.test/path/x/../page.html")
        self.assertEqual((hit["list"], hit["category"], hit["severity"]), ("bad-urls", "A2", 4))
        self.assertEqual(hit["canonical_url"], "http://bad.example.test/path/page.html")
        [hit] = lists.check("https://cdn.evil.example.test/anything?q=1")
        self.assertEqual((hit["list"], hit["kind"]), ("evil", "domain"))
        self.assertEqual(lists.check("http://good.example.test/"), [])
        one = vigil.UrlLists(os.path.join(self.lists, "url-lists", "bad-urls.ulist"))
        self.assertEqual(one.names(), ["bad-urls"])
        self.assertEqual(len(one.check("http://bad.example.test/path/page.html")), 1)

    def test_a_damaged_list_is_refused(self):
        path = self.write("junk.ulist", "not a url list at all\n" * 10)
        with self.assertRaisesRegex(vigil.Error, "junk.ulist"):
            vigil.UrlLists(path)
        with self.assertRaisesRegex(vigil.Error, "no such URL list"):
            vigil.UrlLists(os.path.join(self.tmp, "absent.ulist"))


if __name__ == "__main__":
    unittest.main()
