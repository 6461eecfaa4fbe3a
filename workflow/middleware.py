"""Request metadata for the audit trail."""

from __future__ import annotations

import ipaddress
import re

from django.conf import settings

from project.memo import request_memo

from .services.audit import new_request_id, request_context

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_address(request) -> str | None:
    """The client's address, as the audit log and the login throttling (django-axes) see it.

    Behind ``KINERJA_PROXY_COUNT`` trusted proxies that each append the address they received the
    request from to ``X-Forwarded-For`` (nginx: ``$proxy_add_x_forwarded_for``), the client is the
    entry the outermost of them appended, the N-th from the right; entries further left come from
    the client and can be forged. Without proxies (0), or when the header is shorter than the
    count (a request that bypassed the proxy), it is the socket peer (``REMOTE_ADDR``)."""
    count = settings.KINERJA_PROXY_COUNT
    if count > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count:
            try:
                return str(ipaddress.ip_address(forwarded[-count]))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR") or None


def audit_request_middleware(get_response):
    """Give each request an id (the proxy's ``X-Request-ID`` when it sends a sane one) and note the
    client address, so every audit event written while serving it names both. The id is echoed in
    the response for support requests. The address is ``client_address(request)``."""

    def middleware(request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _REQUEST_ID.match(given) else new_request_id()
        request.audit_request_id = request_id
        with request_context(request_id=request_id, ip=client_address(request)):
            if request.method in ("GET", "HEAD"):  # pages that only read: lookups memoized per request
                with request_memo():
                    response = get_response(request)
            else:
                response = get_response(request)
        response.headers.setdefault("X-Request-ID", request_id)
        return response

    return middleware
