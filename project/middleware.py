"""Language selection: Indonesian unless the user chose otherwise.

Django's LocaleMiddleware follows the browser's Accept-Language, so an English-language browser
would get English by default. The product is Indonesian by default; English is a choice the user
makes (the language form in the menu sets the cookie)."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import check_for_language


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = (
            chosen
            if chosen and check_for_language(chosen) and chosen in dict(settings.LANGUAGES)
            else settings.LANGUAGE_CODE
        )
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RefuseNulMiddleware:
    """Refuse any request whose query string, form data or upload names carry a NUL character.

    No text the product stores may hold one (PostgreSQL refuses it in text columns, and on SQLite it
    would be stored silently and break exports), and no person types one: it is junk or a probe.
    This is the one place that answers it, for every page, form and API alike: a 400 page in the
    product's frame that says what was wrong, before any view runs, so nothing is written.
    Runs as ``process_view`` (last in the chain) so the page is rendered with the user and site."""

    template_name = "bad_request.html"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    @staticmethod
    def carries_nul(request) -> bool:
        if "\x00" in request.path:
            return True
        sources = [request.GET]
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            try:
                sources += [request.POST, request.FILES]
            except Exception:  # noqa: BLE001 - a body Django cannot parse is the view's to refuse
                return False
        for source in sources:
            for key, values in source.lists():
                if "\x00" in key:
                    return True
                for value in values:
                    text = getattr(value, "name", value)
                    if isinstance(text, str) and "\x00" in text:
                        return True
        return False

    def process_view(self, request, view, args, kwargs):
        if not self.carries_nul(request):
            return None
        from django.template.response import TemplateResponse

        return TemplateResponse(request, self.template_name, {"back": request.path}, status=400)
