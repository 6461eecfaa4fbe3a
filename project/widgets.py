"""Form widgets shared by every app of the product."""

from django import forms


class DateInput(forms.DateInput):
    """A date picked in the browser's own calendar (``<input type=date>``). Browsers read and send
    its value only in ISO format (``2026-11-30``), whatever the page's language: rendered in the
    locale's format (``30-11-2026``) the field shows blank and cannot be submitted. Date fields
    accept ISO input in every language."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):  # noqa: A002 - Django's own argument name
        super().__init__(attrs=attrs, format=format or "%Y-%m-%d")
