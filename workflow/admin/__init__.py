"""The Django admin of the workflow app: the organisation directory scoped to the admin's
government (org.py) with its import pages (org_import.py), the holiday calendar (calendar.py),
other apps' models under the audited base (audited.py), the read-only audit log (audit.py) and
employees' leaves and suspensions (keadaan.py). Importing the package registers them."""

from . import api_token, audit, audited, calendar, keadaan, org  # noqa: F401 - registration happens on import
