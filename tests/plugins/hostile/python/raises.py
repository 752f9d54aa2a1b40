"""Raises a Python exception on the attack item."""


def describe():
    return {"id": "hostile.py-raise", "version": "1.0.0"}


def analyze(image, item):
    if image.shape[1] == 13:
        raise ValueError("no detector today")
    return [{"label": "seen", "score": 0.5}]
