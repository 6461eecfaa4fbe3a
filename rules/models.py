"""Rule sets, their versions and decision tables.

A version's content (tables, columns, rows, test cases) can change only while it is a draft;
editing a published version means copying it into a new draft (``rule_version_copy``). Writes go
through services.py; the model-level guards below stop code that bypasses them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Func, Q, Value
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from project.choice_labels import ChoiceLabels

from .choices import HitPolicy, ValueType, VersionStatus


class DateRangeInclusive(Func):
    """``daterange(from, to, '[]')``: NULL ``to`` is an open end."""

    function = "daterange"
    output_field = DateRangeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint on PostgreSQL, nothing on other databases (SQLite has no GiST).
    On every database the publish service also checks overlaps under a row lock on the rule set."""

    def _is_postgres(self, schema_editor) -> bool:
        return schema_editor.connection.vendor == "postgresql"

    def constraint_sql(self, model, schema_editor):
        return super().constraint_sql(model, schema_editor) if self._is_postgres(schema_editor) else None

    def create_sql(self, model, schema_editor):
        return super().create_sql(model, schema_editor) if self._is_postgres(schema_editor) else None

    def remove_sql(self, model, schema_editor):
        return super().remove_sql(model, schema_editor) if self._is_postgres(schema_editor) else None

    def validate(self, model, instance, exclude=None, using=None):
        # Checked by RuleSetVersion.clean and the publish service on every database.
        return None


class RuleSet(ChoiceLabels, models.Model):
    """A named, versioned set of decision tables (e.g. ``penilaian-kinerja``)."""

    key = models.SlugField(_("key"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        ordering = ["key"]
        permissions = [("manage_rules", _("Can edit, test and publish scoring rules"))]

    def __str__(self) -> str:
        return self.title or self.key


class RuleSetVersion(ChoiceLabels, models.Model):
    """One version of a rule set. Published versions are in force from ``effective_from`` to
    ``effective_to`` (inclusive; empty means open-ended); at most one per rule set on any date."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="versions", verbose_name=_("rule set"))
    number = models.PositiveIntegerField(_("number"))
    status = models.CharField(_("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    effective_from = models.DateField(_("in force from"), null=True, blank=True)
    effective_to = models.DateField(_("in force until"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("copied from")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    # Why it was published (asked when it starts inside a running period and re-scores its results).
    publish_reason = models.TextField(_("reason for publishing"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rule set version")
        verbose_name_plural = _("rule set versions")
        ordering = ["rule_set", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "number"], name="rules_version_unique_number"),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(effective_from__isnull=False),
                name="rules_version_published_has_start",
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="rules_version_dates_ordered",
            ),
            # At most one published version in force per rule set and date, enforced by PostgreSQL
            # (needs btree_gist for the "=" on rule_set; created in migration 0001).
            PostgresExclusionConstraint(
                name="rules_version_published_no_overlap",
                expressions=[
                    ("rule_set", RangeOperators.EQUAL),
                    (DateRangeInclusive("effective_from", "effective_to", Value("[]")), RangeOperators.OVERLAPS),
                ],
                condition=Q(status="published"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_set.key} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    def covers(self, day) -> bool:
        return (
            self.effective_from is not None
            and self.effective_from <= day
            and (self.effective_to is None or day <= self.effective_to)
        )

    def overlapping_published(self):
        """Other published versions of the same rule set whose dates meet this one's."""
        qs = RuleSetVersion.objects.filter(rule_set_id=self.rule_set_id, status=VersionStatus.PUBLISHED).exclude(
            pk=self.pk
        )
        if self.effective_to is not None:
            qs = qs.filter(effective_from__lte=self.effective_to)
        return qs.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=self.effective_from))

    def clean(self) -> None:
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": _("The end date must not be before the start date.")})
        if self.status == VersionStatus.PUBLISHED:
            if not self.effective_from:
                raise ValidationError({"effective_from": _("A published version needs a start date.")})
            clash = self.overlapping_published().first()
            if clash is not None:
                raise ValidationError(
                    _("Version %(number)s is already in force in this period.") % {"number": clash.number}
                )


class DraftOnlyModel(ChoiceLabels, models.Model):
    """Content of a version: writable only while the version is a draft."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._guard()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._guard()
        return super().delete(*args, **kwargs)

    def owning_version(self) -> RuleSetVersion:
        raise NotImplementedError

    def _guard(self) -> None:
        version = self.owning_version()
        if version.status != VersionStatus.DRAFT:
            raise ValidationError(
                _("Version %(version)s is %(status)s and cannot be changed; copy it into a new draft.")
                % {"version": version, "status": version.get_status_display()}
            )


class DecisionTable(DraftOnlyModel):
    """A decision table: typed inputs and outputs, ordered rows, a hit policy."""

    version = models.ForeignKey(
        RuleSetVersion, on_delete=models.CASCADE, related_name="tables", verbose_name=_("version")
    )
    name = models.CharField(_("name"), max_length=63)
    title = models.CharField(_("title"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    hit_policy = models.CharField(_("hit policy"), max_length=10, choices=HitPolicy.choices, default=HitPolicy.FIRST)
    position = models.PositiveSmallIntegerField(pgettext_lazy("order of rules", "position"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("decision table")
        verbose_name_plural = _("decision tables")
        ordering = ["version", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["version", "name"], name="rules_table_unique_name")]

    def __str__(self) -> str:
        return self.title or self.name

    def owning_version(self) -> RuleSetVersion:
        return RuleSetVersion.objects.only("status", "number", "rule_set_id").get(pk=self.version_id)


class TableColumn(DraftOnlyModel):
    """Shared fields of inputs and outputs."""

    table = models.ForeignKey(DecisionTable, on_delete=models.CASCADE, verbose_name=_("table"))
    name = models.CharField(_("name"), max_length=63)
    label = models.CharField(_("label"), max_length=200, blank=True)
    type = models.CharField(_("type"), max_length=10, choices=ValueType.choices)
    choices = models.JSONField(_("allowed codes"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(pgettext_lazy("order of rules", "position"), default=0)

    class Meta:
        abstract = True
        ordering = ["table", "position"]

    def __str__(self) -> str:
        return self.name

    def owning_version(self) -> RuleSetVersion:
        return DecisionTable.objects.select_related("version").get(pk=self.table_id).version


class TableInput(TableColumn):
    minimum = models.FloatField(_("minimum"), null=True, blank=True)
    maximum = models.FloatField(_("maximum"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta(TableColumn.Meta):
        verbose_name = _("table input")
        verbose_name_plural = _("table inputs")
        default_related_name = "inputs"
        constraints = [models.UniqueConstraint(fields=["table", "name"], name="rules_input_unique_name")]


class TableOutput(TableColumn):
    history = HistoricalRecords()

    class Meta(TableColumn.Meta):
        verbose_name = _("table output")
        verbose_name_plural = _("table outputs")
        default_related_name = "outputs"
        constraints = [models.UniqueConstraint(fields=["table", "name"], name="rules_output_unique_name")]


class TableRow(DraftOnlyModel):
    """One rule: a condition cell per input (text as typed) and a value per output.
    The default row (at most one, last) applies when no other row matches."""

    table = models.ForeignKey(DecisionTable, on_delete=models.CASCADE, related_name="rows", verbose_name=_("table"))
    position = models.PositiveSmallIntegerField(pgettext_lazy("order of rules", "position"))
    is_default = models.BooleanField(_("default row"), default=False)
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    outputs = models.JSONField(_("outputs"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("table row")
        verbose_name_plural = _("table rows")
        ordering = ["table", "position"]

    def __str__(self) -> str:
        return _("Row %(n)s") % {"n": self.position}

    def owning_version(self) -> RuleSetVersion:
        return DecisionTable.objects.select_related("version").get(pk=self.table_id).version


class TableTestCase(DraftOnlyModel):
    """Inputs and the outputs they must give; every stored case must pass before publishing."""

    table = models.ForeignKey(
        DecisionTable, on_delete=models.CASCADE, related_name="test_cases", verbose_name=_("table")
    )
    name = models.CharField(_("name"), max_length=200)
    inputs = models.JSONField(_("inputs"), default=dict)
    expected = models.JSONField(_("expected outputs"), default=dict)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("test case")
        verbose_name_plural = _("test cases")
        ordering = ["table", "id"]

    def __str__(self) -> str:
        return self.name

    def owning_version(self) -> RuleSetVersion:
        return DecisionTable.objects.select_related("version").get(pk=self.table_id).version
