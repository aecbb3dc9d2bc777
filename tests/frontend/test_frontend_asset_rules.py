"""The asset rules on their own: refused paths, containment, hashed names, Accept-Encoding."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from greenroom._dynamic.frontend_assets import (
    accepted,
    cache_control,
    contained,
    content_type,
    is_hashed,
    refusal,
)


@pytest.mark.parametrize(
    ("name", "hashed"),
    [
        ("chunk.3f2a1b9c.js", True),
        ("main-0a1b2c3d4e5f.css", True),
        ("573.a1b2c3d4e5f60718.js", True),
        ("vendors_3f2a1b9c.js.map", True),
        ("remoteEntry.js", False),
        ("mf-manifest.json", False),
        ("index.html", False),
        ("chunk.deadbeef.js", False),  # no digit: could be a word
        ("build.20240101.js", False),  # no letter: could be a date
        ("chunk.3f2a1b9.js", False),  # too short
        ("chunk.3F2A1B9C.js", False),  # webpack and rspack hashes are lower-case
    ],
)
def test_hashed_names(name: str, hashed: bool) -> None:
    """Only names with a content hash are immutable; the rule errs towards revalidation."""
    assert is_hashed(name) is hashed
    assert cache_control(name) == ("public, max-age=31536000, immutable" if hashed else "no-cache")


def test_content_type_ignores_case_and_defaults_to_octet_stream() -> None:
    """Suffixes are matched case-insensitively; unknown ones are octet-stream."""
    assert content_type("APP.JS") == "text/javascript; charset=utf-8"
    assert content_type("README") == "application/octet-stream"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, {}),
        ("gzip, br", {"gzip": 1.0, "br": 1.0}),
        ("gzip;q=0.5, BR;q=0", {"gzip": 0.5, "br": 0.0}),
        ("*;q=0.1, identity", {"*": 0.1, "identity": 1.0}),
        ("gzip;q=oops", {"gzip": 0.0}),
    ],
)
def test_accept_encoding_parsing(header: str | None, expected: dict[str, float]) -> None:
    """Codings are lower-cased with their quality; a bad q counts as 0."""
    assert accepted(header) == expected


SEGMENT = st.one_of(
    st.sampled_from(["..", ".", "", "a", "b.js", "..\\x", "C:", "%2e%2e", "\x00", "ab"]),
    st.text(min_size=0, max_size=6),
)


@given(segments=st.lists(SEGMENT, min_size=1, max_size=6))
def test_nothing_accepted_ever_leaves_the_root(
    tmp_path_factory: pytest.TempPathFactory, segments: list[str]
) -> None:
    """For any path: refused, or resolved inside the root (never outside, never an error)."""
    root = tmp_path_factory.getbasetemp() / "rules-root" / "dist"
    root.mkdir(parents=True, exist_ok=True)
    if refusal(segments) is not None:
        return
    assert ".." not in segments
    found = contained(root, segments)
    assert found is not None
    assert found.is_relative_to(os.path.realpath(root))


def test_symlink_out_is_not_contained(tmp_path: Path) -> None:
    """A link leaving the root resolves outside it, so ``contained`` says no."""
    root = tmp_path / "dist"
    root.mkdir()
    (root / "out").symlink_to(tmp_path)
    assert contained(root, ["out", "x"]) is None
    assert contained(root, ["x"]) == Path(os.path.realpath(root)) / "x"
