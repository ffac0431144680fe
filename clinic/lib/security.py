"""Security headers the framework does not set itself."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# "?" up to the end of a URL in a log line: "/consultations/?q=A-1001 HTTP/1.1" keeps the path only.
QUERY_STRING = re.compile(r"(/[^\s?\"']*)\?[^\s\"']*")

# Pages load only our own scripts and styles (htmx is served from our static files); no inline
# script anywhere. The Django admin needs inline style attributes, so only it gets them.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
CSP_ADMIN = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = CSP_ADMIN if request.path.startswith("/admin/") else CSP
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.user.is_authenticated if hasattr(request, "user") else False:
            # Patient data must not linger in shared caches or the browser's back-forward cache.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class HtmxLoginRedirectMiddleware:
    """An htmx request whose session has expired gets the login page as a full navigation.

    Without this, htmx would follow the 302 and swap the login form into the results column.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            getattr(request, "htmx", False)
            and response.status_code == 302
            and response.get("Location", "").startswith(settings.LOGIN_URL_PATH)
        ):
            # Imported here: settings load this module (the log filter) before the apps are ready.
            from django.contrib.auth.views import redirect_to_login

            # After logging in, return to the page the counselor was on, not to the POST-only
            # endpoint the htmx request went to.
            redirect = HttpResponse(status=204)
            redirect["HX-Redirect"] = redirect_to_login(request.htmx.current_url_abs_path or "/").url
            return redirect
        return response


class StripControlCharactersMiddleware:
    """Query strings lose control characters (NUL above all) before any view or search sees them.

    PostgreSQL refuses NUL in text, so a `?q=%00` would otherwise end in a database error. Form
    fields are covered by the forms themselves (Django's CharField refuses NUL; ours strip).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if CONTROL_CHARACTERS.search(request.META.get("QUERY_STRING", "")) or any(
            CONTROL_CHARACTERS.search(v) for values in request.GET.lists() for v in values[1]
        ):
            cleaned = request.GET.copy()
            for key, values in list(cleaned.lists()):
                cleaned.setlist(key, [CONTROL_CHARACTERS.sub("", v) for v in values])
            request.GET = cleaned
        return self.get_response(request)


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class RefuseNonUtf8Middleware:
    """A form body or query string that is not UTF-8 is refused with 400, before any view stores it.

    Django decodes such bytes as Latin-1 rather than failing, so a raw byte 0xFF arrived as "ÿ" and
    was saved. Every page here is UTF-8; a browser never sends anything else. Percent-encoded bytes
    are left to the forms (they decode them to U+FFFD, which the validators refuse).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "").encode("latin-1", errors="replace")
        form = request.content_type == "application/x-www-form-urlencoded"
        if not _is_utf8(query) or (form and not _is_utf8(request.body)):
            return HttpResponseBadRequest(
                _("The request was not UTF-8 text, so nothing was saved. Reload the page and try again."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


class RedactQueryStrings(logging.Filter):
    """Log records lose the query strings of the URLs they mention (a search can be a chart number)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # a malformed record: the handler reports it as such
        redacted = QUERY_STRING.sub(r"\1?[query removed]", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class ExpectedRefusals(logging.Filter):
    """A refusal raised on purpose (PermissionDenied, Http404) is not an error: Django's
    "Forbidden (Permission denied): /path" line stays, its traceback goes. The refusal itself is in
    the audit trail (consult/access.py)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied | Http404):
            record.exc_info, record.exc_text = None, None
        return True
