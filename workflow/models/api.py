"""Tokens of the REST API (``/api/v1/``): a person's own token, or a named integration of one
government (the payroll, SIASN, a dashboard). The secret is shown once and only its SHA-256 is
kept; the short prefix finds the row."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .org import Instansi


class ApiScope(models.TextChoices):
    READ_RESULTS = "read_results", _("Read results")
    READ_PROGRESS = "read_progress", _("Read progress")
    ACT_TASKS = "act_tasks", _("Act on tasks")


class ApiToken(models.Model):
    """A bearer token of the API. Either ``user`` (the token acts as that person, with their
    rights) or ``instansi`` with ``nama`` (an integration that reads that government's data)."""

    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    hash = models.CharField(_("secret hash (SHA-256)"), max_length=64)
    nama = models.CharField(_("name"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    instansi = models.ForeignKey(
        Instansi, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("government")
    )
    scopes = models.JSONField(_("scopes"), default=list)
    kedaluwarsa = models.DateTimeField(_("expires"))
    dibuat = models.DateTimeField(_("created"), auto_now_add=True)
    dibuat_oleh = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    terakhir_dipakai = models.DateTimeField(_("last used"), null=True, blank=True)
    dicabut = models.DateTimeField(_("revoked"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["terakhir_dipakai"])

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-dibuat"]

    def __str__(self) -> str:
        return f"{self.nama} ({self.prefix})"

    @property
    def is_integration(self) -> bool:
        return self.user_id is None

    def is_valid(self, now=None) -> bool:
        now = now or timezone.now()
        return self.dicabut is None and self.kedaluwarsa > now
