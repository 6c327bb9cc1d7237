"""One exception tree for every API the provider speaks to.

::

    BackupsError                     anything this package raises on purpose
    ├── ConfigError                  a credential or endpoint could not be resolved
    ├── ApiError                     an API answered with an error (call, status, message, id)
    │   ├── BadRequestError          400
    │   ├── AuthError                401 / 403
    │   ├── NotFoundError            404
    │   ├── ConflictError            409 (Scaleway ``transient_state`` included)
    │   ├── RateLimitedError         429
    │   ├── ServerError              5xx
    │   └── TransportError           no answer at all (connection refused, reset, timeout)
    │       └── DeadlineError        no complete answer before the operation's deadline
    ├── TaskFailedError              a server-side task or object ended in a failure status
    └── WaitTimeoutError             a deadline passed while waiting for a status

Lower-level errors (python-ovh, httpx) are translated once, in the API clients, with
``raise ... from``. Providers add the resource they were working on with
:func:`in_resource`, so that the message the engine prints names the resource, the call and
the server's own words.
"""

from __future__ import annotations

MAX_SERVER_TEXT = 500
"""Characters of a server's own text an error keeps: a 20 MB error page must not become a
20 MB message (gRPC refuses metadata past 16 KiB, and nobody reads it)."""


def cut(text: str, limit: int = MAX_SERVER_TEXT) -> str:
    """``text``, at most ``limit`` characters (on one line, saying how much was cut)."""
    if len(text) <= limit:
        return text
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return f"{flat[:limit]}... ({len(flat) - limit} more characters cut)"


class BackupsError(Exception):
    """Base of every error raised on purpose by pulumi_backups."""


class ConfigError(BackupsError):
    """A credential or endpoint is missing or invalid; the message lists where it was looked for."""


class ApiError(BackupsError):
    """An API call failed.

    ``call`` is ``"METHOD /path"``, ``status`` the HTTP status (0 when nothing came back),
    ``message`` the server's own message, ``request_id`` the vendor's request id header
    (``X-OVH-QUERYID``, ``X-Request-Id``) and ``code`` the vendor's error code or class.
    """

    def __init__(
        self,
        call: str,
        status: int,
        message: str,
        *,
        request_id: str | None = None,
        code: str | None = None,
    ) -> None:
        self.call = call
        self.status = status
        self.message = cut(message)
        self.request_id = request_id
        self.code = code
        super().__init__(self._render())

    def _render(self) -> str:
        status = f"HTTP {self.status}" if self.status else "no response"
        code = f" [{self.code}]" if self.code else ""
        rid = f" (request id {self.request_id})" if self.request_id else ""
        return f"{self.call} failed: {status}{code}: {self.message}{rid}"

    @property
    def transient(self) -> bool:
        """True when the same call may succeed if sent again."""
        return False

    @property
    def rejected(self) -> bool:
        """True when the server refused the call itself (a 4xx): it carried nothing out."""
        return 400 <= self.status < 500

    @property
    def may_have_acted(self) -> bool:
        """True when the server may have carried the call out although it failed: the answer
        was lost after the request went out. What a POST is never sent again on, and what a
        create must account for (the object it made may exist). A success whose answer is
        unusable (garbled, empty, about another object) was carried out."""
        return 200 <= self.status < 300


class BadRequestError(ApiError):
    """400: the server refused the request's content."""


class AuthError(ApiError):
    """401 / 403: credentials missing, wrong, or without the right to make this call."""


class NotFoundError(ApiError):
    """404: the object does not exist (any more)."""


class ConflictError(ApiError):
    """409: the object exists already, or is in a state that forbids the call for now."""


class RateLimitedError(ApiError):
    """429: too many requests; always worth retrying after a pause."""

    @property
    def transient(self) -> bool:
        return True


class ServerError(ApiError):
    """5xx: the server failed."""

    @property
    def transient(self) -> bool:
        return self.status in (500, 502, 503, 504)

    @property
    def may_have_acted(self) -> bool:
        # 502/503/504 come from a gateway or an overloaded server that did not take the call.
        return self.status not in (502, 503, 504)


class TransportError(ApiError):
    """The request got no HTTP answer (connection refused or reset, read timeout).

    ``refused``: nothing listens at the address (a wrong endpoint, or a server restarting):
    retried only briefly (``RetryPolicy.refused_seconds``), and the message names the
    endpoint setting.
    """

    def __init__(
        self, call: str, message: str, *, sent: bool = True, refused: bool = False
    ) -> None:
        self.sent = sent
        self.refused = refused
        super().__init__(call, 0, message)

    @property
    def transient(self) -> bool:
        return True

    @property
    def may_have_acted(self) -> bool:
        return self.sent


def _connection_refused(err: BaseException) -> bool:
    """Whether an HTTP library's ``err`` comes from a refused connection (its causes, and the
    reasons urllib3 keeps in ``reason`` / ``args``, are searched)."""
    seen: set[int] = set()
    stack: list[BaseException] = [err]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError):
            return True
        linked = (current.__cause__, current.__context__, getattr(current, "reason", None))
        stack.extend(e for e in (*linked, *current.args) if isinstance(e, BaseException))
    return False


def lost_connection(
    call: str, err: BaseException, *, sent: bool, where: str, hint: str
) -> TransportError:
    """The error for an HTTP library's failure to get an answer to ``call``. A refused
    connection names where nothing answered and the setting to check (``hint``)."""
    if _connection_refused(err):
        message = f"connection refused: nothing answers at {where.rstrip('/')} ({hint})"
        return TransportError(call, message, sent=False, refused=True)
    return TransportError(call, str(err) or type(err).__name__, sent=sent)


class DeadlineError(TransportError):
    """A request cut short by its operation's deadline: no complete answer came in time."""


def deadline_passed(call: str, seconds: float, setting: str, *, sent: bool) -> DeadlineError:
    """The error for ``call`` cut short by its operation's deadline (``seconds`` long, from
    ``setting``); ``sent`` when the request went out."""
    raise_it = TIMEOUT_SETTINGS.get(setting, setting)
    message = (
        f"no complete answer within the operation's deadline of {seconds:g} s; "
        f"raise {raise_it} if the service is legitimately slow"
    )
    return DeadlineError(call, message, sent=sent)


class TaskFailedError(BackupsError):
    """A server-side operation ended in a failure status (``error``, ``cancelled``, ...)."""

    def __init__(self, what: str, status: str, detail: str = "") -> None:
        self.what = what
        self.status = status
        self.detail = detail
        extra = f": {detail}" if detail else ""
        super().__init__(f"{what} ended with status {status!r}{extra}")


class WaitCancelledError(BackupsError):
    """The engine cancelled the deployment (Ctrl-C) during a wait: the
    operation on the server goes on or stays as it was, and the message says which."""

    def __init__(self, what: str, last_status: str) -> None:
        self.what = what
        self.last_status = last_status
        super().__init__(
            f"cancelled while waiting for {what} (last status {last_status!r}): it is left "
            "as the server has it"
        )


class WaitTimeoutError(BackupsError):
    """The deadline passed before the awaited status was reached."""

    def __init__(
        self, what: str, last_status: str, seconds: float, setting: str = "timeouts"
    ) -> None:
        self.what = what
        self.last_status = last_status
        self.seconds = seconds
        self.setting = setting
        super().__init__(
            f"timed out after {seconds:g} s waiting for {what} (last status: {last_status!r}); "
            f"raise {TIMEOUT_SETTINGS.get(setting, setting)} if the operation is legitimately slow"
        )


TIMEOUT_SETTINGS = {
    "timeouts": "the matching `timeouts` argument",
    "customTimeouts": "the matching `customTimeouts` resource option (it wins over `timeouts`)",
}
"""What a deadline came from (``WaitPolicy.setting``), as a timeout's message names it."""


_STATUS_CLASSES: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthError,
    403: AuthError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitedError,
}


def error_for_status(
    call: str,
    status: int,
    message: str,
    *,
    request_id: str | None = None,
    code: str | None = None,
) -> ApiError:
    """Build the ApiError subclass that matches an HTTP status."""
    cls = _STATUS_CLASSES.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else ApiError
    return cls(call, status, message, request_id=request_id, code=code)


class ResourceError(BackupsError):
    """An error raised while operating on one resource; names the resource first."""

    def __init__(self, resource: str, operation: str, cause: BaseException) -> None:
        self.resource = resource
        self.operation = operation
        self.cause = cause
        super().__init__(f"{resource}: {operation} failed: {cause}")


def with_note(err: BackupsError, note: str) -> BackupsError:
    """A copy of ``err`` (same class and attributes) whose message ends with ``note``.

    A copy, not ``err`` changed in place: ``raise with_note(err, ...) from err`` keeps the
    original as the cause instead of making the error its own cause."""
    copy = err.__class__.__new__(err.__class__)
    copy.__dict__.update(err.__dict__)
    copy.args = (f"{err}; {note}",)
    return copy


RESTORE_GOES_ON = (
    "the restore goes on server-side and cannot be cancelled: do not start another until it "
    "ends (it is not recorded in the stack)"
)
"""The note of every restore that outlived its deadline."""


def in_resource(resource: str, operation: str, err: BackupsError) -> ResourceError:
    """Wrap ``err`` so that its message starts with the resource it concerns."""
    return ResourceError(resource, operation, err)
