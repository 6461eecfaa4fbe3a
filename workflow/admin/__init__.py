"""The Django admin of the workflow app: the organisation directory scoped to the admin's
government (org.py) with its import pages (org_import.py), the holiday calendar (calendar.py),
other apps' models under the audited base (audited.py), the read-only audit log (audit.py) and
employees' leaves and suspensions (keadaan.py), the issued documents and ZIP packages, read-only
(dokumen.py). Importing the package registers them."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import api_token, audit, audited, calendar, dokumen, keadaan, org  # noqa: F401 - registration happens on import

# The admin in the product's words, not Django's ("Django administration", "Django site admin").
admin.site.site_header = _("Kinerja administration")
admin.site.site_title = _("Kinerja administration")
admin.site.index_title = _("Administration")
