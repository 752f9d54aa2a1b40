"""Crashes the interpreter: a NULL dereference through ctypes (SIGSEGV)."""
import ctypes


def describe():
    return {"id": "hostile.py-crash", "version": "1.0.0"}


def analyze(image, item):
    if image.shape[1] == 13:
        ctypes.string_at(0)
    return [{"label": "seen", "score": 0.5}]
