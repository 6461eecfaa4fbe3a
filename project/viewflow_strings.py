"""Strings of viewflow's templates that viewflow ships no Indonesian translation for.

Listed here only so `makemessages` puts them into project/locale, where the Indonesian catalogue
translates them. Never imported at run time.
"""

from django.utils.translation import gettext_noop

VIEWFLOW_TEMPLATE_STRINGS = [
    gettext_noop("Access Forbidden"),
    gettext_noop("Applications"),
    gettext_noop("Back"),
    gettext_noop("Bad Request"),
    gettext_noop("Filter"),
    gettext_noop("Login"),
    gettext_noop("Log in as another user"),
    gettext_noop("Logout"),
    gettext_noop("Pick an action"),
    gettext_noop("Profile"),
    gettext_noop("Reset password"),
    gettext_noop("You are not logged in"),
    gettext_noop("%(user)s have no rights to access this page"),
    gettext_noop("We're sorry, but the requested page could not be found."),
    gettext_noop(
        "There's been an error. It's been reported to the site administrators via email and should be "
        "fixed shortly. Thanks for your patience."
    ),
]
