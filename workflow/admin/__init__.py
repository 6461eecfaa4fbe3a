"""The Django admin of the workflow app: the scoped organisation directory and the audited
accounts (org.py), the organisation import pages (org_import.py) and the read-only audit log
(audit.py). Importing the package registers them all."""

from . import audit, org  # noqa: F401 - registration happens on import
