"""Run engine work in a forked child process, so that a table which crashes durable_rules (a C
extension) costs the editor an error message, never the web or Celery worker.

The publish gate, the editor's "coba" and the simulation go through ``run_isolated``. The child
inherits the parent's memory (specs, facts, translations) and must not touch the database: callers
read everything they need first and hand it over as arguments.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from .errors import RuleEvaluationError


class EngineStopped(RuleEvaluationError):
    """The child process died (a signal, an abort) or ran out of time; nothing was changed."""


def _child(target: Callable, args: tuple, language: str | None, conn) -> None:
    try:
        if language:
            translation.activate(language)
        reply = ("ok", target(*args))
    except RuleEvaluationError as exc:  # sent as fields: exceptions with keyword arguments do not pickle
        reply = ("error", (type(exc), exc.message, exc.rule_set, exc.table, exc.row))
    except BaseException as exc:  # anything else is reported like a crash, with its text
        reply = ("crash", str(exc))
    try:
        conn.send(reply)
    finally:
        conn.close()


def run_isolated(target: Callable[..., Any], *args: Any, timeout: float, what: str) -> Any:
    """``target(*args)`` in a forked child: its return value, its RuleEvaluationError raised again
    here, or EngineStopped (saying ``what`` was running) when the child died or took longer than
    ``timeout`` seconds. Runs in this process where fork is unavailable."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return target(*args)
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(target, args, translation.get_language(), sender), daemon=True)
    process.start()
    sender.close()
    reply = None
    try:
        if receiver.poll(timeout):
            reply = receiver.recv()
    except (EOFError, OSError):
        reply = None
    finally:
        receiver.close()
    process.join(5)
    if process.is_alive():
        process.kill()
        process.join()
    if reply is None:
        if process.exitcode is None or process.exitcode == -9:
            raise EngineStopped(
                _(
                    "The rules engine took longer than %(seconds)s seconds while %(what)s and was stopped; "
                    "nothing was changed."
                )
                % {"seconds": int(timeout), "what": what}
            )
        raise EngineStopped(
            _(
                "The rules engine stopped while %(what)s (exit code %(code)s); nothing was changed. The table "
                "probably exceeds a limit of the engine: check it with the validation on the table page."
            )
            % {"what": what, "code": process.exitcode}
        )
    kind, payload = reply
    if kind == "ok":
        return payload
    if kind == "error":
        cls, message, rule_set, table, row = payload
        raise cls(message, rule_set=rule_set, table=table, row=row)
    raise EngineStopped(
        _("The rules engine failed while %(what)s: %(error)s; nothing was changed.") % {"what": what, "error": payload}
    )
