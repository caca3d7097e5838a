"""One HTTP fetcher for every registry client: a keep-alive ``requests.Session`` shared by a
thread pool, with the gate's rules for what an answer means.

* 200 → FOUND (the body, streamed and capped, parsed as JSON when asked);
* 404 → asked again once, after a short pause, before it counts: NOT_FOUND;
* 429 → waits as ``Retry-After`` says (within a cap) and retries, then UNVERIFIED;
* 5xx → one retry, then UNVERIFIED; so are timeouts, connection and TLS errors, other
  statuses, bodies over the size cap, malformed JSON and redirects to another host.

Network problems never raise: every request gives a :class:`Response`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from aibom import __version__
from aibom.deps.types import LookupStatus

TYPE_CHECKING = False
if TYPE_CHECKING:
    import requests

MB = 1024 * 1024
_REDIRECTS = {301, 302, 303, 307, 308}
_DRAIN = 64 * 1024  # read at most this much of an error body, to keep the connection


@dataclass(frozen=True)
class Limits:
    connect_timeout: float = 3.0
    read_timeout: float = 10.0  # between two bytes of the answer
    total_timeout: float = 60.0  # for a whole body
    workers: int = 16
    max_body: int = 20 * MB
    max_redirects: int = 3
    recheck_delay: float = 0.2  # before asking again after a 404
    retry_delay: float = 0.2  # before retrying after a 5xx
    max_429_retries: int = 2
    max_retry_wait: float = 5.0  # total time spent waiting for Retry-After, per request
    default_retry_after: float = 1.0  # when a 429 has no usable Retry-After


@dataclass(frozen=True)
class Request:
    url: str  # may hold credentials (user:pass@): they become basic auth
    accept: str = "application/json"
    expect_json: bool = True


@dataclass(frozen=True)
class Response:
    """``status`` is FOUND for a 2xx answer, NOT_FOUND for a 404 seen twice, UNVERIFIED for
    anything else (``error`` says why). ``data`` is the parsed JSON when it was asked for."""

    request: Request
    status: LookupStatus
    code: int | None = None
    data: object = None
    body: bytes = b""
    content_type: str = ""  # media type, lower case, no parameters
    error: str | None = None


def size_text(size: int) -> str:
    return f"{size // MB} MB" if size % MB == 0 else f"{size} bytes"


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta seconds or an HTTP date)."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return seconds if seconds >= 0 and seconds == seconds else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - now)


def _split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    return urlunsplit(parts._replace(netloc=host)), (unquote(user), unquote(password))


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower(), port


class _Failed(Exception):
    """An UNVERIFIED outcome, raised inside one request's handling."""


class Fetcher:
    """Fetches many URLs concurrently. Thread-safe; close it when done (or use ``with``)."""

    def __init__(
        self,
        limits: Limits | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.limits = limits or Limits()
        self._sleep = sleep
        self._clock = clock
        self._session_made: requests.Session | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    @property
    def _session(self) -> requests.Session:
        """Made on first use: a run answered from the cache never imports requests (~70 ms)."""
        with self._lock:
            if self._session_made is None:
                import requests.adapters

                session = requests.Session()
                adapter = requests.adapters.HTTPAdapter(
                    pool_connections=8, pool_maxsize=max(1, self.limits.workers), max_retries=0
                )
                session.mount("http://", adapter)
                session.mount("https://", adapter)
                session.headers["User-Agent"] = f"aibom/{__version__}"
                self._session_made = session
            return self._session_made

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)
        with self._lock:
            session, self._session_made = self._session_made, None
        if session is not None:
            session.close()

    def fetch_many(self, requests: Sequence[Request]) -> list[Response]:
        """One response per request, in the same order. A 404 is asked again once, after
        ``recheck_delay``: all of them together in a second round, so the delay is paid
        once per call, not once per missing name."""
        if len(requests) <= 1:
            return [self.fetch(r) for r in requests]
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=max(1, self.limits.workers), thread_name_prefix="aibom-http"
                )
            executor = self._executor
        results = list(executor.map(self._fetch_once, requests))
        missing = [i for i, r in enumerate(results) if r.status is LookupStatus.NOT_FOUND]
        if missing:
            self._sleep(self.limits.recheck_delay)
            again = executor.map(self._fetch_once, [requests[i] for i in missing])
            for i, response in zip(missing, again, strict=True):
                results[i] = response
        return results

    def fetch(self, request: Request) -> Response:
        return self._safe(request, recheck=True)

    def _fetch_once(self, request: Request) -> Response:
        return self._safe(request, recheck=False)

    def _safe(self, request: Request, *, recheck: bool) -> Response:
        try:
            return self._fetch(request, recheck=recheck)
        except _Failed as exc:
            return Response(request, LookupStatus.UNVERIFIED, error=str(exc))
        except Exception as exc:  # never raise to the caller
            error = f"unexpected error ({type(exc).__name__})"
            return Response(request, LookupStatus.UNVERIFIED, error=error)

    def _fetch(self, request: Request, *, recheck: bool = True) -> Response:
        """``recheck``: ask again after a 404 here; without it the caller rechecks."""
        limits = self.limits
        url, auth = _split_credentials(request.url)
        origin = _origin(url)
        rechecked = not recheck
        retried_5xx = False
        retries_429 = redirects = 0
        waited = 0.0
        while True:
            with self._get(url, request, auth) as resp:
                code = resp.status_code
                if code in _REDIRECTS:
                    _drain(resp)
                    location = resp.headers.get("Location")
                    if not location:
                        raise _Failed(f"redirect (HTTP {code}) without a Location")
                    target = urljoin(url, location)
                    if _origin(target) != origin:
                        host = urlsplit(target).hostname or "?"
                        raise _Failed(f"redirected to another host ({host})")
                    redirects += 1
                    if redirects > limits.max_redirects:
                        raise _Failed(f"more than {limits.max_redirects} redirects")
                    url = target
                    continue
                if code == 404:
                    _drain(resp)
                    if rechecked:
                        return Response(request, LookupStatus.NOT_FOUND, code=404)
                    rechecked = True
                    self._sleep(limits.recheck_delay)
                    continue
                if code == 429:
                    _drain(resp)
                    now = self._clock()
                    wait = parse_retry_after(resp.headers.get("Retry-After"), now)
                    wait = limits.default_retry_after if wait is None else wait
                    if retries_429 >= limits.max_429_retries:
                        raise _Failed(f"rate limited (HTTP 429, {retries_429 + 1} times)")
                    if waited + wait > limits.max_retry_wait:
                        raise _Failed(
                            f"rate limited (HTTP 429; Retry-After {wait:g} s is beyond the "
                            f"{limits.max_retry_wait:g} s limit)"
                        )
                    retries_429 += 1
                    waited += wait
                    self._sleep(wait)
                    continue
                if 500 <= code <= 599:
                    _drain(resp)
                    if retried_5xx:
                        raise _Failed(f"server error (HTTP {code}, twice)")
                    retried_5xx = True
                    self._sleep(limits.retry_delay)
                    continue
                if not 200 <= code <= 299:
                    _drain(resp)
                    raise _Failed(f"unexpected answer (HTTP {code})")
                return self._read(request, resp)

    def _get(self, url: str, request: Request, auth: tuple[str, str] | None) -> requests.Response:
        import requests

        limits = self.limits
        try:
            return self._session.get(
                url,
                headers={"Accept": request.accept},
                auth=auth,
                timeout=(limits.connect_timeout, limits.read_timeout),
                stream=True,
                allow_redirects=False,
            )
        except requests.exceptions.ConnectTimeout:
            raise _Failed(f"timed out connecting ({limits.connect_timeout:g} s)") from None
        except requests.exceptions.ReadTimeout:
            raise _Failed(f"timed out waiting for an answer ({limits.read_timeout:g} s)") from None
        except requests.exceptions.SSLError as exc:
            raise _Failed(f"TLS error ({_reason(exc)})") from None
        except requests.exceptions.ConnectionError as exc:
            raise _Failed(f"connection failed ({_reason(exc)})") from None
        except requests.exceptions.RequestException as exc:
            raise _Failed(f"request failed ({type(exc).__name__})") from None

    def _read(self, request: Request, resp: requests.Response) -> Response:
        import requests

        limits = self.limits
        too_large = f"response larger than {size_text(limits.max_body)}"
        length = resp.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > limits.max_body:
            raise _Failed(too_large)
        chunks: list[bytes] = []
        size = 0
        deadline = time.monotonic() + limits.total_timeout
        try:
            for chunk in resp.iter_content(64 * 1024):
                size += len(chunk)
                if size > limits.max_body:
                    raise _Failed(too_large)
                if time.monotonic() > deadline:
                    raise _Failed(f"response took longer than {limits.total_timeout:g} s")
                chunks.append(chunk)
        except requests.exceptions.RequestException as exc:
            raise _Failed(f"connection broken while reading ({_reason(exc)})") from None
        body = b"".join(chunks)
        media = resp.headers.get("Content-Type", "").partition(";")[0].strip().lower()
        if not request.expect_json:
            return Response(request, LookupStatus.FOUND, resp.status_code, None, body, media)
        if "html" in media:
            return Response(
                request,
                LookupStatus.UNVERIFIED,
                resp.status_code,
                None,
                body,
                media,
                error=f"not JSON (Content-Type {media})",
            )
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            raise _Failed("malformed JSON") from None
        return Response(request, LookupStatus.FOUND, resp.status_code, data, body, media)


def _drain(resp: requests.Response) -> None:
    """Read a small error body so the connection can be used again."""
    import requests

    try:
        size = 0
        for chunk in resp.iter_content(16 * 1024):
            size += len(chunk)
            if size > _DRAIN:
                break
    except requests.exceptions.RequestException:
        pass


def _reason(exc: BaseException) -> str:
    """A short, secret-free reason: the innermost exception's type name."""
    inner: BaseException = exc
    seen = 0
    while seen < 10:
        seen += 1
        nested = inner.args[0] if inner.args and isinstance(inner.args[0], BaseException) else None
        nested = nested or getattr(inner, "reason", None) or inner.__cause__ or inner.__context__
        if not isinstance(nested, BaseException):
            break
        inner = nested
    return type(inner).__name__
