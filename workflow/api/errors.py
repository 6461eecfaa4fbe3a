"""Every error of the API as JSON: ``{"code": stable code, "message": sentence in the user's
language (Indonesian by default), "fields": {field: [messages]}}`` (fields only on bad input)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

DEFAULT_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    exceptions.ParseError: "parse_error",
}


def _messages() -> dict:
    # Read at call time, in the request's language.
    return {
        "not_authenticated": _("Sign in, or send a valid token: Authorization: Bearer <token>."),
        "forbidden": _("You may not do this."),
        "not_found": _("Not found, or not yours to see."),
        "method_not_allowed": _("This method is not allowed here."),
        "not_acceptable": _("The API answers in JSON only."),
        "unsupported_media_type": _("Send the request body as JSON (Content-Type: application/json)."),
        "throttled": _("Too many requests. Please try again in a moment."),
        "parse_error": _("The request body is not valid JSON."),
        "invalid": _("Please correct the marked fields."),
    }


def _flatten(detail) -> list[str]:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _flatten(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _flatten(value)]
    return [str(detail)]


def _fields(detail) -> dict[str, list[str]]:
    if not isinstance(detail, dict):
        return {}
    return {str(key): _flatten(value) for key, value in detail.items()}


class ServiceRefused(exceptions.APIException):
    """A service said no (its ``ValidationError``): the page's message, as a 400, or 409 when the
    task is no longer open or is locked by someone else."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "refused"


def from_service(exc: DjangoValidationError) -> ServiceRefused:
    refused = ServiceRefused(" ".join(exc.messages))
    code = getattr(exc, "code", None) or "refused"
    if code in ("task_done", "locked"):
        refused.status_code = status.HTTP_409_CONFLICT
    refused.error_code = code
    refused.error_messages = list(exc.messages)
    return refused


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = from_service(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: Django's 500 (logged), never hidden
    texts = _messages()
    body: dict = {}
    if isinstance(exc, ServiceRefused):
        body = {"code": getattr(exc, "error_code", "refused"), "message": str(exc.detail)}
        if len(getattr(exc, "error_messages", [])) > 1:
            body["messages"] = exc.error_messages
    elif isinstance(exc, exceptions.ValidationError):
        body = {"code": "invalid", "message": texts["invalid"], "fields": _fields(exc.detail)}
        if not body["fields"]:
            body["fields"] = {"non_field_errors": _flatten(exc.detail)}
    else:
        code = next((c for cls, c in DEFAULT_CODES.items() if isinstance(exc, cls)), "error")
        detail_code = exc.get_codes() if isinstance(exc.get_codes(), str) else None
        # A custom code given where the error was raised (token_expired, scope_missing) wins.
        if detail_code and detail_code not in ("permission_denied", "not_authenticated", "authentication_failed"):
            code = detail_code if detail_code not in ("not_found", "error") else code
        default_text = str(exc.default_detail)
        given = str(exc.detail) if not isinstance(exc.detail, dict | list) else ""
        message = given if given and given != default_text else texts.get(code, given or default_text)
        if code == "authentication_failed" and not given:
            message = texts["not_authenticated"]
        body = {"code": code, "message": message}
    response.data = body
    return response
