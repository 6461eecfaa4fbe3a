"""The product's URLconf plus one view that fails, to see the 500 page."""

from django.urls import path

from project.urls import handler403, handler404  # noqa: F401
from project.urls import urlpatterns as product_urlpatterns


def boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", boom), *product_urlpatterns]
