"""The page a locked-out sign-in gets (django-axes' ``AXES_LOCKOUT_CALLABLE``).

The login page the user was on (the product's or the Django admin's) is shown again with one form
error saying why and for how long, instead of axes' bare text, with HTTP 429."""

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

LOCKOUT_STATUS = 429


def lockout_message() -> str:
    cooloff = settings.AXES_COOLOFF_TIME
    if cooloff:
        minutes = max(1, int(cooloff.total_seconds() // 60))
        return _(
            "Too many failed sign-in attempts: this account is locked for your address for %(minutes)s "
            "minutes. Try again later or ask an administrator to unlock it."
        ) % {"minutes": minutes}
    return _(
        "Too many failed sign-in attempts: this account is locked for your address until an administrator unlocks it."
    )


def lockout_response(request, original_response=None, credentials=None):
    message = lockout_message()
    context = getattr(original_response, "context_data", None)
    form = context.get("form") if context else None
    if form is not None and form.is_bound:
        # The login view's own form, already validated (as a failed login): its errors become the
        # lockout message alone. Validating it again would count one more failure.
        form.errors.clear()
        form.add_error(None, message)
        return TemplateResponse(request, original_response.template_name, context, status=LOCKOUT_STATUS).render()
    form = AuthenticationForm(request, data={})  # bound but empty: validating it authenticates nobody
    form.errors.clear()
    form.add_error(None, message)
    context = {"form": form, "sso_enabled": settings.KINERJA_OIDC_ENABLED}
    return TemplateResponse(request, "registration/login.html", context, status=LOCKOUT_STATUS).render()


def is_sso_attempt(request, credentials=None) -> bool:
    """django-axes' ``AXES_WHITELIST_CALLABLE``: the single sign-on callback (``workflow.sso``),
    which authenticates with the provider's one-time code (its credentials carry the PKCE
    ``code_verifier``), never a password. Its refusals are not counted as failed passwords."""
    return bool(credentials) and "code_verifier" in credentials
