"""Aborts the interpreter: os.abort() (SIGABRT)."""
import os


def describe():
    return {"id": "hostile.py-abort", "version": "1.0.0"}


def analyze(image, item):
    if image.shape[1] == 13:
        os.abort()
    return [{"label": "seen", "score": 0.5}]
