"""RouterOS API word codec for the simulator (standard library only).

A word is a length prefix followed by that many bytes; a sentence is words
ended by a zero-length word.  Length prefix:
  < 0x80        1 byte   len
  < 0x4000      2 bytes  len | 0x8000
  < 0x200000    3 bytes  len | 0xC00000
  < 0x10000000  4 bytes  len | 0xE0000000
  otherwise     5 bytes  0xF0 then len as 4 bytes big-endian
A first byte of 0xF8 or above is a reserved control byte: a protocol error.
Words are bytes; nothing here decodes text.
"""

MAX_WORD = 64 * 1024 * 1024  # refuse words larger than this (protocol error)


class ProtocolError(Exception):
    """The peer sent bytes that are not a valid RouterOS API stream."""


def encode_length(n):
    if n < 0:
        raise ValueError("negative length")
    if n < 0x80:
        return bytes([n])
    if n < 0x4000:
        return (n | 0x8000).to_bytes(2, "big")
    if n < 0x200000:
        return (n | 0xC00000).to_bytes(3, "big")
    if n < 0x10000000:
        return (n | 0xE0000000).to_bytes(4, "big")
    if n <= 0xFFFFFFFF:
        return b"\xf0" + n.to_bytes(4, "big")
    raise ValueError("length too large")


def prefix_size(first):
    """Number of bytes of a length prefix given its first byte."""
    if first < 0x80:
        return 1
    if first < 0xC0:
        return 2
    if first < 0xE0:
        return 3
    if first < 0xF0:
        return 4
    if first == 0xF0:
        return 5
    raise ProtocolError("reserved control byte 0x%02X" % first)


def decode_length(buf, pos=0):
    """Decode a length prefix at buf[pos:].

    Returns (length, bytes_used), or None when buf holds only part of it.
    """
    if pos >= len(buf):
        return None
    first = buf[pos]
    size = prefix_size(first)
    if pos + size > len(buf):
        return None
    if size == 1:
        return first, 1
    if size == 5:
        return int.from_bytes(buf[pos + 1:pos + 5], "big"), 5
    raw = int.from_bytes(buf[pos:pos + size], "big")
    mask = {2: 0x3FFF, 3: 0x1FFFFF, 4: 0xFFFFFFF}[size]
    return raw & mask, size


def to_bytes(word):
    if isinstance(word, str):
        return word.encode("utf-8", "surrogateescape")
    return bytes(word)


def encode_word(word):
    b = to_bytes(word)
    return encode_length(len(b)) + b


def encode_sentence(words):
    return b"".join(encode_word(w) for w in words) + b"\x00"


class SentenceReader:
    """Incremental decoder: feed() bytes, get back complete sentences.

    Each sentence is a list of bytes words (without the terminating empty
    word).  Empty sentences (a lone zero-length word) are skipped, as the
    router ignores them.  Raises ProtocolError on a malformed stream.
    """

    def __init__(self, max_word=MAX_WORD):
        self.buf = bytearray()
        self.words = []
        self.max_word = max_word

    def feed(self, data):
        self.buf += data
        out = []
        pos = 0
        buf = self.buf
        while True:
            got = decode_length(buf, pos)
            if got is None:
                break
            length, used = got
            if length > self.max_word:
                raise ProtocolError("word of %d bytes is too large" % length)
            if pos + used + length > len(buf):
                break
            word = bytes(buf[pos + used:pos + used + length])
            pos += used + length
            if length == 0:
                if self.words:
                    out.append(self.words)
                self.words = []
            else:
                self.words.append(word)
        if pos:
            del self.buf[:pos]
        return out

    def pending(self):
        """True when part of a sentence has been received."""
        return bool(self.buf) or bool(self.words)


def decode_all(data):
    """Decode a complete byte string into sentences (for tests)."""
    r = SentenceReader()
    out = r.feed(data)
    if r.pending():
        raise ProtocolError("trailing partial sentence")
    return out
