"""Returns results of the wrong shape: 13 px wide a str, 14 a label that is an int, 15 a
score of NaN, 17 keeps a view of the pixels after returning, 18 writes to the pixels (the
view is read-only)."""
KEPT = []


def describe():
    return {"id": "hostile.py-garbage", "version": "1.0.0"}


def analyze(image, item):
    width = image.shape[1]
    if width == 13:
        return "mostly red"
    if width == 14:
        return [{"label": 5, "score": 0.5}]
    if width == 15:
        return [{"label": "seen", "score": float("nan")}]
    if width == 17:
        KEPT.append(image[1:, :])
    if width == 18:
        image[0, 0, 0] = 255
    return [{"label": "seen", "score": 0.5}]
