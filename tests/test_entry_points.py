"""Greenroom's entry point groups are read once per process, per ``sys.path``."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path
from typing import Any

import pytest

from greenroom._entry_points import forget_entry_points, installed_entry_points


def _write_dist(site: Path, name: str, entry_points: str) -> None:
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(entry_points)


@pytest.fixture
def counted_scans(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times importlib.metadata.entry_points() ran."""
    calls: list[int] = []
    real = importlib.metadata.entry_points

    def counting(**params: Any) -> Any:
        calls.append(1)
        return real(**params)

    monkeypatch.setattr(importlib.metadata, "entry_points", counting)
    forget_entry_points()
    return calls


def test_every_group_comes_from_one_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, counted_scans: list[int]
) -> None:
    """Several groups, several calls: one scan while sys.path stays the same."""
    _write_dist(
        tmp_path,
        "acme_one",
        "[greenroom.backend_plugin]\none = acme_one:Plugin\n\n"
        "[greenroom.config_schema]\nschema.json = acme_one\n",
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    backend = installed_entry_points("greenroom.backend_plugin")
    schemas = installed_entry_points("greenroom.config_schema")
    installed_entry_points("greenroom.backend_plugin")

    ours = [(s.entry_point.name, s.dist_name, s.dist_version) for s in backend]
    assert ours[0] == ("one", "acme_one", "1.0")  # first on sys.path, first listed
    assert "acme_one" in [s.entry_point.value for s in schemas]
    assert len(counted_scans) == 1


def test_a_new_sys_path_entry_is_scanned_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, counted_scans: list[int]
) -> None:
    """A site folder added to sys.path (a test's, a plugin's) is seen at once."""
    assert installed_entry_points("greenroom.backend_plugin") is not None
    _write_dist(tmp_path, "acme_two", "[greenroom.backend_plugin]\ntwo = acme_two:Plugin\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    names = [s.entry_point.name for s in installed_entry_points("greenroom.backend_plugin")]

    assert "two" in names
    assert len(counted_scans) == 2


def test_only_greenroom_groups_are_served() -> None:
    """Another group is refused with the rule, not silently empty."""
    with pytest.raises(ValueError, match=r"not a Greenroom entry point group"):
        installed_entry_points("console_scripts")
