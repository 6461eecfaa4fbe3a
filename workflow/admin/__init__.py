"""The Django admin of the workflow app: the organisation directory scoped to the admin's
government (org.py) with its import pages (org_import.py), the holiday calendar (calendar.py),
other apps' models under the audited base (audited.py), the read-only audit log (audit.py) and
employees' leaves and suspensions (keadaan.py), the issued documents and ZIP packages, read-only
(dokumen.py). Importing the package registers them."""

from . import audit, audited, calendar, dokumen, keadaan, org  # noqa: F401 - registration happens on import
