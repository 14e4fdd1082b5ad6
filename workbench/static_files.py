"""Static files for phones: content-hashed URLs, cached for a year, sent compressed.

``url_for('static', filename='css/app.css')`` gives ``/static/css/app.3f9c0a1b2d.css``: the
name carries the first 10 hex digits of the file's SHA-256, so the URL changes exactly when
the file does and a phone may keep it for a year without asking again
(``Cache-Control: public, max-age=31536000, immutable``). The plain name still works, with
``no-cache`` and an ETag, for anything that wrote it by hand.

Bodies go out brotli- or gzip-compressed when the browser accepts it. A file with a
precompressed sibling (``x.js.br`` / ``x.js.gz``, made at build time for the big vendor bundle
by ``scripts/plotly/build.sh``) is sent as that; any other text file is compressed once, on
its first request, and kept in memory (the whole static tree is about 1.5 MB).

HTML responses are compressed too (:func:`compress_response`), at a quick brotli level: an
owner's page is 5–75 KB of very repetitive markup and goes out at a fifth to a tenth of it.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, abort, request

try:  # brotli is a dependency; without it (a bare checkout) gzip still works.
    import brotli
except ImportError:  # pragma: no cover
    brotli = None

YEAR = 31_536_000
IMMUTABLE = f"public, max-age={YEAR}, immutable"
#: Worth compressing: text. Images (PNG, JPEG) are compressed already.
TEXTUAL = re.compile(r"^(text/|application/(javascript|json|xml)|image/svg)")
HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{10})(?P<ext>\.[A-Za-z0-9]+)$")
#: Responses smaller than this are not worth a Content-Encoding.
MIN_SIZE = 1024


@dataclass(frozen=True)
class _Version:
    mtime_ns: int
    size: int
    digest: str


def hashed_name(name: str, digest: str) -> str:
    """``css/app.css`` + digest → ``css/app.<digest>.css`` (the extension stays last)."""
    stem, dot, ext = name.rpartition(".")
    if not dot or "/" in ext:
        return f"{name}.{digest}"
    return f"{stem}.{digest}.{ext}"


def accepted_encodings(header: str | None) -> list[str]:
    """``br`` and/or ``gzip`` from an Accept-Encoding header, best first (q=0 excluded)."""
    accepted = set()
    for part in (header or "").split(","):
        token, _, params = part.strip().partition(";")
        q = re.search(r"q=([0-9.]+)", params)
        if q and float(q.group(1)) == 0:
            continue
        accepted.add(token.strip().lower())
    return [e for e in ("br", "gzip") if e in accepted]


class StaticFiles:
    """The static tree: digests (re-read when a file changes on disk) and compressed bodies."""

    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()
        self._versions: dict[str, _Version] = {}
        self._bodies: dict[tuple[str, str, str], bytes] = {}
        self._lock = threading.Lock()

    def _path(self, name: str) -> Path | None:
        path = (self.root / name).resolve()
        if self.root not in path.parents or not path.is_file():
            return None
        return path

    def version(self, name: str) -> _Version | None:
        """The file's digest; re-hashed only when its mtime or size changed (a cheap stat)."""
        path = self._path(name)
        if path is None:
            return None
        st = path.stat()
        known = self._versions.get(name)
        if known and known.mtime_ns == st.st_mtime_ns and known.size == st.st_size:
            return known
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
        version = _Version(st.st_mtime_ns, st.st_size, digest)
        self._versions[name] = version
        return version

    def url_name(self, name: str) -> str:
        """What ``url_for('static')`` puts in the URL: the hashed name, or ``name`` if missing."""
        version = self.version(name)
        return hashed_name(name, version.digest) if version else name

    def resolve(self, requested: str) -> tuple[str, bool] | None:
        """``(real name, immutable?)`` for a requested name, hashed or plain."""
        m = HASHED.match(requested)
        if m:
            name = m["stem"] + m["ext"]
            version = self.version(name)
            if version and version.digest == m["digest"]:
                return name, True
        if self._path(requested) is not None and not requested.endswith((".br", ".gz")):
            return requested, False
        return None

    def body(self, name: str, digest: str, encoding: str) -> bytes:
        """The file's bytes in ``encoding`` (``identity``, ``br`` or ``gzip``), cached by digest."""
        key = (name, digest, encoding)
        cached = self._bodies.get(key)
        if cached is not None:
            return cached
        path = self._path(name)
        raw = path.read_bytes()
        if encoding == "identity":
            data = raw
        else:
            sibling = path.with_name(path.name + (".br" if encoding == "br" else ".gz"))
            if sibling.is_file() and sibling.stat().st_mtime_ns >= path.stat().st_mtime_ns:
                data = sibling.read_bytes()
            elif encoding == "br":
                data = brotli.compress(raw, quality=11 if len(raw) < 300_000 else 9)
            else:
                data = gzip.compress(raw, compresslevel=9, mtime=0)
        with self._lock:
            self._bodies[key] = data
        return data

    def response(self, requested: str) -> Response:
        found = self.resolve(requested)
        if found is None:
            abort(404)
        name, immutable = found
        version = self.version(name)
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        encoding = "identity"
        if TEXTUAL.match(mimetype) and version.size >= MIN_SIZE:
            for candidate in accepted_encodings(request.headers.get("Accept-Encoding")):
                if candidate == "br" and brotli is None:
                    continue
                encoding = candidate
                break
        response = Response(self.body(name, version.digest, encoding), mimetype=mimetype)
        if encoding != "identity":
            response.headers["Content-Encoding"] = encoding
        response.vary.add("Accept-Encoding")
        response.set_etag(f"{version.digest}-{encoding}")
        response.headers["Cache-Control"] = IMMUTABLE if immutable else "no-cache"
        return response.make_conditional(request)


def compress_response(response: Response) -> Response:
    """Compress a text response (HTML, JSON) for a browser that accepts it; quick levels only."""
    if (response.status_code < 200 or response.status_code in (204, 304) or response.direct_passthrough
            or response.is_streamed or "Content-Encoding" in response.headers
            or not TEXTUAL.match(response.mimetype or "")):
        return response
    response.vary.add("Accept-Encoding")
    encodings = accepted_encodings(request.headers.get("Accept-Encoding"))
    raw = response.get_data()
    if not encodings or len(raw) < MIN_SIZE:
        return response
    encoding = encodings[0] if (encodings[0] != "br" or brotli is not None) else "gzip"
    if encoding == "gzip" and "gzip" not in encodings:
        return response
    data = brotli.compress(raw, quality=5) if encoding == "br" else gzip.compress(raw, compresslevel=6)
    response.set_data(data)
    response.headers["Content-Encoding"] = encoding
    return response


def init_static(app: Flask, folder: str) -> StaticFiles:
    """Serve ``folder`` at ``/static`` with hashed URLs; compress text responses."""
    files = StaticFiles(folder)
    app.extensions["static_files"] = files

    def serve(filename: str) -> Response:
        return files.response(filename)

    app.add_url_rule("/static/<path:filename>", endpoint="static", view_func=serve)

    @app.url_defaults
    def _hashed_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = files.url_name(values["filename"])

    app.after_request(compress_response)
    return files
