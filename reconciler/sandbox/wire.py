"""The sandbox's own request and response values, shared by both adapters (transport and server).

The core never sees httpx or http.server objects: an adapter builds a `Request`, the core returns an
`Exchange` (a response plus what the adapter must do with it — deliver it, lose it after the write
committed, reset the connection, or stall past the client's timeout), and the adapter acts on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import parse_qsl, unquote, urlsplit

from reconciler.sandbox import jsonio

JSON_TYPE = "application/json; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    url: str  # absolute, as the client addressed it (scheme://host:port/path?query)
    path: str  # percent-decoded path
    query: tuple[tuple[str, str], ...]  # in order, `+` and %XX decoded
    headers: Mapping[str, str]  # names lower-cased
    body: bytes = b""
    client_is_loopback: bool = True

    @classmethod
    def build(
        cls,
        method: str,
        url: str,
        headers: Iterable[tuple[str, str]] = (),
        body: bytes = b"",
        client_is_loopback: bool = True,
    ) -> Request:
        parts = urlsplit(url)
        return cls(
            method=method.upper(),
            url=url,
            path=unquote(parts.path) or "/",
            query=tuple(parse_qsl(parts.query, keep_blank_values=True)),
            headers={name.lower(): value for name, value in headers},
            body=body,
            client_is_loopback=client_is_loopback,
        )

    @property
    def origin(self) -> str:
        """`scheme://host:port` of the request, for absolute links (`Link`, `_info` hrefs)."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    def param(self, name: str) -> str | None:
        """A query parameter by case-insensitive name (the last one wins, as ASP.NET binds it)."""
        wanted = name.lower()
        found = None
        for key, value in self.query:
            if key.lower() == wanted:
                found = value
        return found


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


def json_response(status: int, payload: object, headers: Iterable[tuple[str, str]] = ()) -> Response:
    return Response(status, (("Content-Type", JSON_TYPE), *headers), jsonio.dump_bytes(payload))


def empty_response(status: int, headers: Iterable[tuple[str, str]] = ()) -> Response:
    return Response(status, tuple(headers), b"")


class Disposition(StrEnum):
    DELIVER = "deliver"  # send the response
    LOSE = "lose"  # the request was handled (a write committed); close the connection, no response
    RESET = "reset"  # reset the connection before handling anything
    TIMEOUT = "timeout"  # stall past the client's timeout (the response, if any, comes too late)


@dataclass(frozen=True, slots=True)
class Exchange:
    response: Response | None
    disposition: Disposition = Disposition.DELIVER
    delay: float = 0.0  # seconds the HTTP adapter stalls for TIMEOUT
    route: str = field(default="")  # the route template, e.g. "GET /finance/agreements/{id}/additions"
