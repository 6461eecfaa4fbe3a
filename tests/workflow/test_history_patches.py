"""The startup patches of django-simple-history (workflow/services/audit.py, installed by
workflow/signals.py) reach into the library's internals. These tests fail loudly when an upgrade
moves what the patches rely on, instead of letting a patch be skipped silently (history rows
written one by one again, or named after the wrong user).

After an upgrade: read the library's changelog and the code these tests name, adapt the patches,
then raise SUPPORTED."""

import importlib.metadata
import inspect
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from simple_history import models as history_models
from simple_history.manager import HistoryDescriptor
from simple_history.models import HistoricalRecords

from workflow.models import Skp, Unit
from workflow.services.audit import _history_descriptors, acting_as

SUPPORTED = "3.13."  # the django-simple-history release the patches were written against


def source(function) -> str:
    return inspect.getsource(function)


def test_the_installed_simple_history_is_the_release_the_patches_were_written_for():
    installed = importlib.metadata.version("django-simple-history")
    assert installed.startswith(SUPPORTED), (
        f"django-simple-history {installed} is installed; the patches in workflow/services/audit.py "
        f"(acting_as, cache_history_managers, defer_history_saves) were written for {SUPPORTED}x. "
        "Check them against the new release, then update SUPPORTED in this test."
    )


def test_every_model_with_history_is_found_by_the_manager_attribute_the_patches_read():
    """``_history_descriptors`` finds models by ``_meta.simple_history_manager_attribute``."""
    found = {model for model, _name, _descriptor in _history_descriptors()}
    tracked = set(history_models.registered_models.values())  # the library's own list: db table -> model
    assert Unit in found and Skp in found and Unit in tracked
    assert tracked <= found, f"history kept for {tracked - found} but the patches do not see it"


def test_cache_history_managers_replaced_every_descriptor_and_builds_the_same_manager():
    """The cached descriptor copies HistoryDescriptor's attributes (model, manager_class,
    queryset_class) and repeats its ``__get__``: both must still be what the library has."""
    assert list(inspect.signature(HistoryDescriptor.__init__).parameters) == ["self", "model", "manager", "queryset"]
    assert "self.manager_class.from_queryset(self.queryset_class)" in source(HistoryDescriptor.__get__)
    for model, name, descriptor in _history_descriptors():
        assert type(descriptor).__name__ == "CachedHistoryDescriptor", f"{model.__name__}.{name} is not cached"
        assert isinstance(descriptor, HistoryDescriptor)
        plain = HistoryDescriptor(descriptor.model, descriptor.manager_class, descriptor.queryset_class)
        cached_manager, plain_manager = descriptor.__get__(None, model), plain.__get__(None, model)
        assert type(cached_manager).__mro__[1:] == type(plain_manager).__mro__[1:]
        assert (cached_manager.model, cached_manager.instance) == (plain_manager.model, plain_manager.instance)
        assert descriptor.__get__(None, model).__class__ is type(cached_manager)  # built once


def test_defer_history_saves_wrapped_the_save_the_library_calls_with_using_only():
    """``audit_batch`` queues a history row when the library saves it as ``save(using=...)``, and
    leaves rows with many-to-many history (``_history_m2m_fields``) alone."""
    create = source(HistoricalRecords.create_historical_record)
    assert "history_instance.save(using=using)" in create
    assert "pre_create_historical_record.send(" in create and "history_instance=history_instance" in create
    assert "history_instance._history_m2m_fields" in source(HistoricalRecords.create_historical_record_m2ms)
    for _model, _name, descriptor in _history_descriptors():
        history = descriptor.model
        assert getattr(history.save, "_kinerja_deferrable", False), f"{history.__name__}.save is not deferrable"
        assert hasattr(history, "_history_m2m_fields"), history.__name__


def test_acting_as_names_the_user_through_the_context_the_library_reads():
    """``acting_as`` puts a stand-in request on ``HistoricalRecords.context``; the library names
    ``context.request.user`` as the author of a row whose instance sets no ``_history_user``."""
    assert "self.context.request.user" in source(HistoricalRecords.get_history_user)
    user = get_user_model()(username="pelaksana")
    with acting_as(user):
        assert HistoricalRecords().get_history_user(SimpleNamespace()) is user
