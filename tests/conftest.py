"""Shared fixtures: paths to the copied real Spotify responses."""

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
TOP50 = FIXTURES / "imports" / "top50_global_playlist_tracks.json"
TOP50_PLAYLIST_ID = "37i9dQZEVXbMDoHDwVN2tF"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"
