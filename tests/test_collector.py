"""The garbage collector is paused while standings are built, and always restored."""

from __future__ import annotations

import gc

import pytest

from airm_training.core.collector import collector_paused
from airm_training.progression import engine
from tests.test_engine import candidate, director, standing  # noqa: F401 - fixtures


def test_the_collector_is_paused_inside_and_restored_after():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_is_restored_when_the_work_fails():
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_requirements_are_applied_with_the_collector_paused(candidate, monkeypatch):  # noqa: F811
    seen = []
    apply_rule = engine.apply_rule

    def recording(*args):
        seen.append(gc.isenabled())
        return apply_rule(*args)

    monkeypatch.setattr(engine, "apply_rule", recording)
    assert standing(candidate).results
    assert seen and not any(seen)
    assert gc.isenabled()
