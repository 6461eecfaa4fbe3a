"""E-mail notifications; always sent after the transaction commits (``transaction.on_commit``)."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from .models import Skp


def notify_result_published(*, skp_id: int) -> None:
    skp = Skp.objects.select_related("pegawai", "hasil", "periode").get(pk=skp_id)
    email = skp.pegawai.email or (skp.pegawai.user.email if skp.pegawai.user_id else "")
    if not email:
        return
    send_mail(
        _("Your %(year)s performance result has been published") % {"year": skp.periode.tahun},
        _("Dear %(name)s,\n\nYour predikat for %(year)s is %(predikat)s. Open Kinerja to read how it was reached.")
        % {"name": skp.pegawai.nama, "year": skp.periode.tahun, "predikat": skp.hasil.get_predikat_display()},
        settings.DEFAULT_FROM_EMAIL,
        [email],
        fail_silently=True,
    )
