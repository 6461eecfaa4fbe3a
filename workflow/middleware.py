"""Request metadata for the audit trail."""

from __future__ import annotations

import re

from .services.audit import new_request_id, request_context

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def audit_request_middleware(get_response):
    """Give each request an id (the proxy's ``X-Request-ID`` when it sends a sane one) and note the
    client address, so every audit event written while serving it names both. The id is echoed in
    the response for support requests. The address is the socket peer's (``REMOTE_ADDR``); behind
    a TLS proxy that is the proxy unless the server is set to pass the client address through."""

    def middleware(request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _REQUEST_ID.match(given) else new_request_id()
        request.audit_request_id = request_id
        with request_context(request_id=request_id, ip=request.META.get("REMOTE_ADDR") or None):
            response = get_response(request)
        response.headers.setdefault("X-Request-ID", request_id)
        return response

    return middleware
