"""Error pages in the product's frame (``handler403``/``handler404`` in project/urls.py).

Both pages show the site menu (a 404 has no resolved URL, hence no site of its own: the product's
one is passed in) and two ways back: the previous page when it is one of ours, and the home page.
The 500 page is Django's default handler with project/templates/500.html, which needs neither the
database nor context processors."""

from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from project.urls import site


def _back_url(request) -> str:
    referer = request.META.get("HTTP_REFERER", "")
    if (
        referer
        and referer != request.build_absolute_uri()
        and url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return referer
    return ""


def _error_page(request, template_name: str, status: int):
    return render(request, template_name, {"error_site": site, "back_url": _back_url(request)}, status=status)


def permission_denied(request, exception=None):
    return _error_page(request, "403.html", 403)


def page_not_found(request, exception=None):
    return _error_page(request, "404.html", 404)
