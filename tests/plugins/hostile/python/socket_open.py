"""Opens a TCP socket to 127.0.0.1 (the sandbox kills the worker: SIGSYS)."""
import socket


def describe():
    return {"id": "hostile.py-socket", "version": "1.0.0"}


def analyze(image, item):
    if image.shape[1] == 13:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.connect(("127.0.0.1", 9))
        s.sendall(b"pixels")
    return [{"label": "seen", "score": 0.5}]
