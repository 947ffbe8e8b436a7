"""What the server and an engine process say to each other over the process's stdin and
stdout: frames, each its length (4 bytes, big-endian) and its bytes. A frame holds a JSON
object (a message), or, in an evaluation, JSON that the engine process passes between the server
and OPA without reading it (the input document, OPA's answer)."""

from __future__ import annotations

import json
import struct
from typing import Any, BinaryIO

HEADER = struct.Struct(">I")
MAX_FRAME = 2**32 - 1


def encode(message: dict[str, Any]) -> bytes:
    return frame(json.dumps(message, ensure_ascii=False, allow_nan=False).encode("utf-8"))


def frame(body: bytes) -> bytes:
    if len(body) > MAX_FRAME:
        raise ValueError(f"a message of {len(body)} bytes is too large to send")
    return HEADER.pack(len(body)) + body


def decode(body: bytes) -> dict[str, Any]:
    message = json.loads(body)
    if not isinstance(message, dict):
        raise ValueError("a frame must hold a JSON object")
    return message


def read(stream: BinaryIO) -> dict[str, Any] | None:
    """The next message, or None at the end of the stream (blocking; the engine side)."""
    body = read_frame(stream)
    return None if body is None else decode(body)


def read_frame(stream: BinaryIO) -> bytes | None:
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    body = stream.read(size)
    return body if len(body) == size else None
