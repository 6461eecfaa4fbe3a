"""Notifications about results (in-app and e-mail, after the transaction commits)."""

from django.utils.translation import gettext as _

from .models import Skp
from .services.notify import notify, process_link


def notify_result_published(*, skp_id: int | None = None, skp: Skp | None = None) -> None:
    """Tell the employee their result is out (``skp``: an instance already at hand)."""
    from .flows import AppraisalFlow

    if skp is None:
        skp = Skp.objects.select_related("pegawai__user", "hasil", "periode").get(pk=skp_id)
    notify(
        user=skp.pegawai.user,
        judul=_("Your %(year)s performance result has been published") % {"year": skp.periode.tahun},
        isi=_("Dear %(name)s,\n\nYour predikat for %(year)s is %(predikat)s. Open Kinerja to read how it was "
              "reached.") % {"name": skp.pegawai.nama, "year": skp.periode.tahun,
                             "predikat": skp.hasil.get_predikat_display()},
        tautan=process_link(AppraisalFlow, skp.process_id),
        email=skp.pegawai.email or None,
    )
