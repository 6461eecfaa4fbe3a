"""Notifications about results (in-app and e-mail, after the transaction commits)."""

from django.utils.translation import gettext as _

from .models import Skp
from .services.notify import notify, process_link


def notify_result_published(*, skp: Skp) -> None:
    """Tell the employee their result is out (called while publishing, with the SKP at hand)."""
    from .flows import AppraisalFlow

    notify(
        user=skp.pegawai.user,
        judul=_("Your %(year)s performance result has been published") % {"year": skp.periode.tahun},
        isi=_("Dear %(name)s,\n\nYour predikat for %(year)s is %(predikat)s. Open Kinerja to read how it was "
              "reached.") % {"name": skp.pegawai.nama, "year": skp.periode.tahun,
                             "predikat": skp.hasil.get_predikat_display()},
        tautan=process_link(AppraisalFlow, skp.process_id),
        email=skp.pegawai.email or None,
    )
