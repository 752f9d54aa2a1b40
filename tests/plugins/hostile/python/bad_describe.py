"""describe() gives a version that is not a str: the bridge refuses to load."""


def describe():
    return {"id": "hostile.py-bad-describe", "version": 1}


def analyze(image, item):
    return []
