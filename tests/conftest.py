"""Fixtures every test folder uses."""

from __future__ import annotations

from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture(scope="session")
def translations_dir(tmp_path_factory) -> Path:
    """Where the web app compiles its interface translations during the tests."""
    return tmp_path_factory.mktemp("translations")


@pytest.fixture
def artifacts() -> Path:
    """Screenshots and other files a person may look at after the tests (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
