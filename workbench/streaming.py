"""Streamed responses (large CSV exports): their own database session, and a loud broken end.

Why a helper: a streamed body is iterated by the WSGI server *after* the view has returned
and Flask has torn down the request's app context — which removes the request's scoped
``db.session``, returning its connection to the pool and rolling its transaction back. A
server-side cursor (``yield_per`` on PostgreSQL) lives in that transaction, so the second
chunk found ``cursor "c_…" does not exist`` and the download ended after the first chunk,
looking complete (issue 21). ``stream_with_context`` does not help: Flask 3.1 pushes the
context again only when the server asks for the first chunk, after the teardown ran.

So every streamed response goes through :func:`stream`: the body gets a session of its own
(not the request's), opened in the view and closed by the body itself when it ends, fails
or the client goes away. On PostgreSQL its transaction is ``REPEATABLE READ READ ONLY``: one
snapshot for the whole file, even if the producer runs several queries.

A failure part-way cannot look like a finished file: the body has no ``Content-Length``,
so HTTP/1.1 servers (gunicorn, werkzeug threaded) send it chunked, and an exception after
the first byte makes the server drop the connection without the terminating chunk. Browsers
then report the download as failed, and HTTP clients raise (``requests``:
``ChunkedEncodingError``). A proxy in front must speak HTTP/1.1 to the app
(nginx: ``proxy_http_version 1.1``), or it cannot tell a cut stream from its end. The first
chunk is produced inside the view, so a failure before any byte is a normal error page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from flask import Response
from sqlalchemy.orm import Session

from workbench.extensions import db

log = logging.getLogger(__name__)

#: Makes the body's data (``Callable[[Session], Iterator[bytes]]``): everything it needs
#: from the request must be worked out before, in the view; it may use only this session.
Producer = Callable[[Session], Iterator[bytes]]


def stream_session() -> Session:
    """A session for one streamed body, on the app's engine but outside the request's scope."""
    session = Session(db.engine, autoflush=False, expire_on_commit=False)
    if db.engine.dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True})
    return session


def stream(produce: Producer, *, mimetype: str, headers: dict[str, str] | None = None,
           prefix: bytes = b"") -> Response:
    """A response whose body is ``prefix`` + what ``produce(session)`` yields, on its own session.

    The first chunk is made here, so bad input or a failing query still gives a proper
    error page; after that the body owns the session and closes it however it ends.
    """
    session = stream_session()
    chunks = produce(session)
    try:
        first = prefix + next(chunks, b"")
    except BaseException:
        chunks.close()
        session.close()
        raise

    def body() -> Iterator[bytes]:
        sent = 0
        try:
            yield first
            sent += len(first)
            for chunk in chunks:
                yield chunk
                sent += len(chunk)
        except GeneratorExit:  # the client went away: nothing to report
            raise
        except BaseException:
            # The server drops the connection without the final chunk: a failed download.
            log.exception("streamed %s broke after %d bytes", mimetype, sent)
            raise
        finally:
            chunks.close()
            session.close()

    response = Response(body(), mimetype=mimetype, headers=headers or {})
    response.headers["Cache-Control"] = "no-store"
    return response
