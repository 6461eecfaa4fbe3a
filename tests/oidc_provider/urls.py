"""The test provider's routes: django-oauth-toolkit's OAuth 2 / OpenID Connect endpoints under
``/o/`` and ``/signin/``, where a test says who signs in at the provider and with which claims."""

import json

from django.contrib.auth import get_user_model, login
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import include, path
from oauth2_provider.oauth2_validators import OAuth2Validator

# Extra claims per provider user name, set by /signin/ (the provider runs in one process).
CLAIMS: dict[str, dict] = {}


class ClaimsValidator(OAuth2Validator):
    """Releases the claims /signin/ set (``nip`` ...), in the ID token and the userinfo answer."""

    oidc_claim_scope = None  # every claim, whatever the scopes

    def get_additional_claims(self, request):
        return {"name": request.user.username, **CLAIMS.get(request.user.username, {})}


def signin(request):
    """``/signin/?sub=NAME&claims=JSON&next=URL``: the person signs in at the provider. Without
    ``sub``: the provider's sign-in page (where the browser of someone signed out lands)."""
    if "sub" not in request.GET:
        return HttpResponse("provider sign-in page")
    user, _ = get_user_model().objects.get_or_create(username=request.GET["sub"])
    CLAIMS[user.username] = json.loads(request.GET.get("claims") or "{}")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return HttpResponseRedirect(request.GET.get("next") or "/o/.well-known/openid-configuration")


urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("signin/", signin),
]
