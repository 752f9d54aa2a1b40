"""vigil.pdq: bit-identical to the reference (the shared conformance data) and to what
`vigil scan` records through the vigil.pdq plugin; bad input raises one-line errors."""

import os
import unittest

import numpy

import vigil
from support import REG, TempDirTest, testdata


def read_expected(path):
    rows = []
    with open(path) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            hash_, quality, name = line.rstrip("\n").split(",", 2)
            rows.append((hash_, int(quality), name))
    return rows


def png_pixels(path):
    """PNG pixels decoded by Pillow (lossless, so the same pixels as Vigil's decoder)."""
    from PIL import Image

    with Image.open(path) as image:
        return numpy.asarray(image.convert("RGB"))


class PdqConformance(unittest.TestCase):
    def test_synthetic_pngs_are_bit_exact(self):
        rows = read_expected(testdata("pdq", "synthetic", "expected.csv"))
        self.assertGreaterEqual(len(rows), 50)
        for hash_, quality, name in rows:
            got = vigil.pdq(testdata("pdq", "synthetic", name))
            self.assertEqual((got.hash, got.quality), (hash_, quality), name)

    def test_reference_photos_hash_as_the_reference(self):
        rows = read_expected(testdata("pdq", "expected", "measured-cpp-reference-hash-quality.csv"))
        self.assertEqual(len(rows), 49)
        for hash_, quality, name in rows:
            got = vigil.pdq(testdata("pdq", "images-and-lists", name))
            self.assertEqual((got.hash, got.quality), (hash_, quality), name)

    def test_dihedral_hashes_are_the_references(self):
        rows = read_expected(testdata("pdq", "expected",
                                      "measured-cpp-reference-dihedral-bridge1.csv"))
        self.assertEqual(len(rows), 8)
        got = vigil.pdq(testdata("pdq", "images-and-lists", rows[0][2]))
        self.assertEqual(got.dihedral, [r[0] for r in rows])
        self.assertEqual(got.dihedral[0], got.hash)

    def test_a_path_like_object_is_a_path(self):
        import pathlib

        path = testdata(*REG, "pen-and-coaster.png")
        self.assertEqual(vigil.pdq(pathlib.Path(path)), vigil.pdq(path))


class PdqOfArrays(unittest.TestCase):
    def test_array_matches_the_file_and_the_reference(self):
        rows = read_expected(testdata("pdq", "synthetic", "expected.csv"))
        for hash_, quality, name in rows:
            pixels = png_pixels(testdata("pdq", "synthetic", name))
            got = vigil.pdq(pixels)
            self.assertEqual((got.hash, got.quality), (hash_, quality), name)

    def test_strided_views_hash_their_pixels(self):
        pixels = png_pixels(testdata(*REG, "pen-and-coaster.png"))
        view = pixels[::2, ::3]  # not contiguous: copied into packed rows first
        self.assertFalse(view.flags["C_CONTIGUOUS"])
        self.assertEqual(vigil.pdq(view), vigil.pdq(numpy.ascontiguousarray(view)))
        flipped = pixels[:, ::-1]  # a left-right mirror is dihedral variant 5 (flip y)
        self.assertLessEqual(
            bin(int(vigil.pdq(flipped).hash, 16) ^ int(vigil.pdq(pixels).dihedral[5], 16))
            .count("1"), 16)

    def test_images_under_five_pixels_hash_to_zero(self):
        got = vigil.pdq(numpy.full((4, 4, 3), 200, numpy.uint8))
        self.assertEqual(got.hash, "0" * 64)
        self.assertEqual(got.quality, 0)

    def test_wrong_dtype_is_a_type_error(self):
        with self.assertRaisesRegex(TypeError, "dtype uint8.*float64"):
            vigil.pdq(numpy.zeros((16, 16, 3)))
        with self.assertRaisesRegex(TypeError, "uint16"):
            vigil.pdq(numpy.zeros((16, 16, 3), numpy.uint16))

    def test_wrong_shape_is_a_value_error(self):
        for shape in [(16, 16), (16, 16, 4), (16, 16, 1), (3,), (0, 16, 3), (2, 16, 16, 3)]:
            with self.assertRaisesRegex(ValueError, r"height x width x 3.*shape \("):
                vigil.pdq(numpy.zeros(shape, numpy.uint8))

    def test_something_else_is_a_type_error(self):
        with self.assertRaisesRegex(TypeError, "file path or a numpy"):
            vigil.pdq(42)


class PdqErrors(TempDirTest):
    def test_missing_file(self):
        missing = os.path.join(self.tmp, "absent.jpg")
        with self.assertRaises(vigil.Error) as raised:
            vigil.pdq(missing)
        message = str(raised.exception)
        self.assertIn(missing, message)
        self.assertIn("No such file", message)
        self.assertNotIn("\n", message)

    def test_not_an_image(self):
        path = self.write("notes.jpg", "these are not pixels\n")
        with self.assertRaisesRegex(vigil.Error, "not an image"):
            vigil.pdq(path)

    def test_truncated_jpeg(self):
        with open(testdata(*REG, "dih", "bridge-1-original.jpg"), "rb") as f:
            head = f.read(600)
        path = os.path.join(self.tmp, "cut.jpg")
        with open(path, "wb") as f:
            f.write(head)
        with self.assertRaises(vigil.Error) as raised:
            vigil.pdq(path)
        self.assertIn(path, str(raised.exception))


class PdqAgainstTheCli(TempDirTest):
    def test_same_hash_and_quality_as_vigil_scan(self):
        files = [testdata(*REG, "pen-and-coaster.png"),
                 testdata(*REG, "dih", "bridge-2-rotate-90.jpg"),
                 testdata(*REG, "exif-rotn", "exif-rotn-6.jpg"),
                 testdata("pdq", "images-and-lists", "misc-images", "modes", "CMYK.jpg"),
                 testdata("pdq", "images-and-lists", "misc-images", "small.jpg"),
                 testdata("pdq", "synthetic", "gray_640x480.png")]
        lines = self.scan_json(*files, store=False)
        scanned = {}
        for line in lines:
            for signal in line["signals"]:
                if signal["type"] == "pdq" and signal["detector"] == "vigil.pdq":
                    scanned[os.path.realpath(line["item"])] = (signal["value"], signal["quality"])
        self.assertEqual(len(scanned), len(files))
        for path in files:
            got = vigil.pdq(path)
            self.assertEqual((got.hash, got.quality), scanned[os.path.realpath(path)], path)


if __name__ == "__main__":
    unittest.main()
