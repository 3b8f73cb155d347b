"""A small blocking RouterOS API client for the simulator's own tests."""

import hashlib
import socket

from ros_codec import SentenceReader, encode_sentence


class Client:
    def __init__(self, port, host="127.0.0.1", timeout=5, wrap=None):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        if wrap is not None:
            self.sock = wrap(self.sock)
        self.reader = SentenceReader()
        self.queue = []

    def close(self):
        self.sock.close()

    def send(self, *words):
        self.sock.sendall(encode_sentence(words))

    def read(self):
        """Next reply sentence as a list of str; raises EOFError on close."""
        while not self.queue:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("connection closed")
            self.queue += self.reader.feed(data)
        return [w.decode("utf-8", "surrogateescape") for w in self.queue.pop(0)]

    def until_done(self):
        """Sentences up to and including !done (or !fatal)."""
        out = []
        while True:
            s = self.read()
            out.append(s)
            if s[0] in ("!done", "!fatal"):
                return out

    def talk(self, *words):
        self.send(*words)
        return self.until_done()

    def login(self, user="admin", password="simpass"):
        r = self.talk("/login", "=name=" + user, "=password=" + password)
        if r[-1][0] == "!done" and any(w.startswith("=ret=") for w in r[-1]):
            chal = bytes.fromhex(next(w[5:] for w in r[-1] if w.startswith("=ret=")))
            digest = hashlib.md5(b"\x00" + password.encode() + chal).hexdigest()
            r = self.talk("/login", "=name=" + user, "=response=00" + digest)
        return r


def attrs(sentence):
    """{'name': value} of the =name=value words of one sentence."""
    out = {}
    for w in sentence[1:]:
        if w.startswith("="):
            k, _, v = w[1:].partition("=")
            out[k] = v
    return out
