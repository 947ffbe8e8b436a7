"""ctypes binding to OPA's C bridge (`lib/libopabridge.so`).

The library is OPA v1.20 (`github.com/open-policy-agent/opa/v1/rego`) compiled as a Go c-shared
library by the opa-golib-python-bindings project; the wheel build takes it, hash-checked, from
that project's pinned wheel (see hatch_build.py). Its C interface is a handle per engine, Rego
modules added by name, and evaluation of a document with a JSON input, every answer a malloc'd
JSON envelope `{"result": ...}` or `{"error": {"code", "message"}}` that we free.
"""

from __future__ import annotations

import ctypes
import json
import threading
from pathlib import Path
from typing import Any

LIBRARY = Path(__file__).parent / "lib" / "libopabridge.so"


class OpaError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class OpaUndefinedError(OpaError):
    def __init__(self, document: str) -> None:
        super().__init__("undefined", f"{document} is undefined")


_lock = threading.Lock()
_lib: ctypes.CDLL | None = None


def _library() -> ctypes.CDLL:
    global _lib
    with _lock:
        if _lib is None:
            if not LIBRARY.is_file():
                raise ImportError(
                    f"OPA's native library is missing ({LIBRARY.name}): the wheel build or "
                    "`pip install -e .` puts it there (hatch_build.py)"
                )
            lib = ctypes.CDLL(str(LIBRARY))
            lib.OpaNew.restype = ctypes.c_uint64
            lib.OpaNew.argtypes = []
            lib.OpaDestroy.restype = None
            lib.OpaDestroy.argtypes = [ctypes.c_uint64]
            lib.OpaFreeString.restype = None
            lib.OpaFreeString.argtypes = [ctypes.c_void_p]
            lib.OpaAddPolicy.restype = ctypes.c_void_p
            lib.OpaAddPolicy.argtypes = [ctypes.c_uint64, ctypes.c_char_p, ctypes.c_char_p]
            for name in ("OpaEvalDocument", "OpaEvalQuery"):
                function = getattr(lib, name)
                function.restype = ctypes.c_void_p
                # handle, document path or query, input JSON, coverage, trace
                function.argtypes = [
                    ctypes.c_uint64,
                    ctypes.c_char_p,
                    ctypes.c_char_p,
                    ctypes.c_int,
                    ctypes.c_int,
                ]
            _lib = lib
        return _lib


class Opa:
    """One OPA engine: add modules, then evaluate documents (`pkg.rule`, without `data.`).
    The first evaluation of a document compiles the modules; adding one recompiles."""

    def __init__(self) -> None:
        self._lib = _library()
        self._handle: int | None = self._lib.OpaNew()

    def close(self) -> None:
        if self._handle is not None:
            self._lib.OpaDestroy(self._handle)
            self._handle = None

    def add_policy(self, name: str, source: str) -> None:
        self._call(self._lib.OpaAddPolicy, _c_string(name), _c_string(source))

    def eval_document(self, document: str, input_document: Any = None) -> Any:
        """The document's value; OpaUndefinedError when it is undefined."""
        return document_value(self.eval_document_json(document, _input(input_document)), document)

    def eval_document_json(self, document: str, input_json: bytes) -> bytes:
        """OPA's answer envelope as it comes (JSON), for an input given as JSON (b"": none):
        what an engine process passes through without reading (see document_value)."""
        return self._raw(self._lib.OpaEvalDocument, _c_string(document), input_json, 0, 0)

    def eval_query(self, query: str, input_document: Any = None) -> list[dict[str, Any]]:
        """The bindings of each result of a Rego query."""
        results = self._call(self._lib.OpaEvalQuery, _c_string(query), _input(input_document), 0, 0)
        return [result.get("bindings", {}) for result in results or []]

    def _call(self, function: Any, *args: Any) -> Any:
        return _result(json.loads(self._raw(function, *args)))

    def _raw(self, function: Any, *args: Any) -> bytes:
        if self._handle is None:
            raise OpaError("closed", "the engine is closed")
        pointer = function(self._handle, *args)
        if not pointer:
            raise OpaError("internal", "the OPA bridge returned nothing")
        try:
            return ctypes.string_at(pointer)
        finally:
            self._lib.OpaFreeString(pointer)


def document_value(envelope: bytes, document: str) -> Any:
    """The value in OPA's answer envelope about `data.<document>`: OpaError for an error,
    OpaUndefinedError when the document is undefined."""
    results = _result(json.loads(envelope))
    if not results or not results[0].get("expressions"):
        raise OpaUndefinedError(f"data.{document}")
    return results[0]["expressions"][0]["value"]


def error_envelope(code: str, message: str) -> bytes:
    """An answer envelope saying `code: message`, as the bridge says its errors."""
    return json.dumps({"error": {"code": code, "message": message}}).encode()


def _result(envelope: Any) -> Any:
    error = envelope.get("error") if isinstance(envelope, dict) else "not an envelope"
    if error:
        if not isinstance(error, dict):
            raise OpaError("internal", f"the OPA bridge answered {envelope!r:.200}")
        raise OpaError(str(error.get("code", "unknown")), str(error.get("message", "")))
    return envelope.get("result")


def _c_string(text: str) -> bytes:
    """Go reads a C string up to its first NUL, so a NUL would silently cut it short."""
    if "\0" in text:
        raise OpaError("invalid_argument", "a NUL character cannot be passed to OPA")
    return text.encode("utf-8", errors="strict")


def _input(document: Any) -> bytes:
    if document is None:
        return b""
    return json.dumps(document, ensure_ascii=False, allow_nan=False).encode("utf-8")
