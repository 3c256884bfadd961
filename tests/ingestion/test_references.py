import pytest

from ingestion.errors import PlaylistReferenceError
from ingestion.spotify.references import parse_playlist_id, parse_playlist_ids, split_mine

PLAYLIST_ID = "37i9dQZEVXbMDoHDwVN2tF"


@pytest.mark.parametrize(
    "reference",
    [
        PLAYLIST_ID,
        f"  {PLAYLIST_ID}\n",
        f"spotify:playlist:{PLAYLIST_ID}",
        f"spotify:user:spotify:playlist:{PLAYLIST_ID}",
        f"https://open.spotify.com/playlist/{PLAYLIST_ID}",
        f"https://open.spotify.com/playlist/{PLAYLIST_ID}?si=a1b2c3d4e5f64a7b",
        f"https://open.spotify.com/playlist/{PLAYLIST_ID}/?si=x&pi=y",
        f"https://open.spotify.com/intl-de/playlist/{PLAYLIST_ID}?si=x",
        f"http://open.spotify.com/playlist/{PLAYLIST_ID}",
        f"open.spotify.com/playlist/{PLAYLIST_ID}",
        f"https://open.spotify.com/embed/playlist/{PLAYLIST_ID}",
    ],
)
def test_accepts_the_forms_people_paste(reference: str) -> None:
    assert parse_playlist_id(reference) == PLAYLIST_ID


@pytest.mark.parametrize(
    "reference",
    [
        "",
        "top 50",
        f"https://open.spotify.com/album/{PLAYLIST_ID}",
        f"spotify:track:{PLAYLIST_ID}",
        f"https://example.com/playlist/{PLAYLIST_ID}",
        "37i9dQZEVXbMDoHDwVN2t",  # 21 characters
        "37i9dQZEVXbMDoHDwVN2t!",
    ],
)
def test_rejects_anything_else_with_advice(reference: str) -> None:
    with pytest.raises(PlaylistReferenceError, match="share link"):
        parse_playlist_id(reference)


def test_lists_keep_order_and_drop_duplicates() -> None:
    other = "1Cp6VQCKf2VL4sP09jN9oX"
    config_value = f"spotify:playlist:{other}, https://open.spotify.com/playlist/{PLAYLIST_ID}?si=1"
    assert parse_playlist_ids(config_value) == [other, PLAYLIST_ID]
    assert parse_playlist_ids([PLAYLIST_ID, f"spotify:playlist:{PLAYLIST_ID}"]) == [PLAYLIST_ID]


def test_config_forms_of_the_list() -> None:
    other = "1Cp6VQCKf2VL4sP09jN9oX"
    assert parse_playlist_ids(f'["{PLAYLIST_ID}", "spotify:playlist:{other}"]') == [
        PLAYLIST_ID,
        other,
    ]
    assert parse_playlist_ids(f"{PLAYLIST_ID} {other}") == [PLAYLIST_ID, other]
    with pytest.raises(PlaylistReferenceError, match="No playlists configured"):
        parse_playlist_ids("  ")


@pytest.mark.parametrize(
    ("references", "expected"),
    [
        ("mine", (True, [])),
        (["mine", "37i9dQZEVXbMDoHDwVN2tF"], (True, ["37i9dQZEVXbMDoHDwVN2tF"])),
        ('["Mine", "x"]', (True, ["x"])),
        ("a, b", (False, ["a", "b"])),
        (None, (False, [])),
    ],
)
def test_mine_is_split_from_the_other_references(references, expected):
    assert split_mine(references) == expected
