"""Never returns on the attack item; declares a one-second budget so the test is quick."""


def describe():
    return {"id": "hostile.py-loop", "version": "1.0.0", "max_ms": 1000}


def analyze(image, item):
    while image.shape[1] == 13:
        pass
    return [{"label": "seen", "score": 0.5}]
