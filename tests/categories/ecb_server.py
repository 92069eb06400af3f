"""A stand-in for the ECB's eurofxref files, served over real HTTP on loopback.

It serves what it is given, in the ECB's formats (XML for daily and 90 days, a zipped CSV for
the full history), and can be told to fail or to send rubbish.
"""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
    'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">\n'
    "<gesmes:subject>Reference rates</gesmes:subject>\n"
    "<gesmes:Sender><gesmes:name>European Central Bank</gesmes:name></gesmes:Sender>\n<Cube>\n"
)


@dataclass
class EcbFiles:
    rates: dict[date, dict[str, str]] = field(default_factory=dict)  # day -> currency -> rate text
    status: int = 200
    body: bytes | None = None  # when set, sent instead of the real file
    requests: list[str] = field(default_factory=list)

    def xml(self, days: list[date]) -> bytes:
        parts = [_HEAD]
        for day in sorted(days, reverse=True):
            cubes = "".join(f'<Cube currency="{c}" rate="{r}"/>' for c, r in sorted(self.rates[day].items()))
            parts.append(f'<Cube time="{day.isoformat()}">{cubes}</Cube>\n')
        parts.append("</Cube>\n</gesmes:Envelope>\n")
        return "".join(parts).encode()

    def history_zip(self) -> bytes:
        currencies = sorted({c for day in self.rates.values() for c in day})
        lines = ["Date," + ",".join(currencies) + ","]
        for day in sorted(self.rates, reverse=True):
            cells = [self.rates[day].get(c, "N/A") for c in currencies]
            lines.append(f"{day.isoformat()}," + ",".join(cells) + ",")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("eurofxref-hist.csv", "\n".join(lines) + "\n")
        return buffer.getvalue()

    def serve(self, path: str) -> tuple[int, bytes]:
        self.requests.append(path)
        if self.status != 200 or self.body is not None:
            return self.status, self.body or b""
        newest = sorted(self.rates)
        if path.endswith("eurofxref-daily.xml"):
            return 200, self.xml(newest[-1:])
        if path.endswith("eurofxref-hist-90d.xml"):
            return 200, self.xml([d for d in newest if (newest[-1] - d).days < 90])
        if path.endswith("eurofxref-hist.zip"):
            return 200, self.history_zip()
        return 404, b"not found"


@contextmanager
def ecb_server(files: EcbFiles) -> Iterator[str]:
    """Serve `files` on 127.0.0.1; yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = files.serve(self.path)
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/stats/eurofxref/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
