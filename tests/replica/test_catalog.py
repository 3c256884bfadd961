"""The generated catalog: deterministic, covering the edge cases, changing day by day."""

import re
import time
import unicodedata

import pytest

from ingestion.spotify_replica import EDITORIAL_PREFIXES, TOP50_GLOBAL_ID, Catalog
from ingestion.spotify_replica.catalog import Episode, LocalTrack, Track

BASE62_ID = re.compile(r"^[0-9A-Za-z]{22}$")


def _fingerprint(catalog: Catalog, day: int) -> list:
    return [
        (
            snap.id,
            snap.snapshot_id,
            snap.playlist.name,
            [
                (
                    getattr(e.item, "id", None),
                    getattr(e.item, "name", None),
                    e.added_at,
                    e.added_by.id,
                )
                for e in snap.entries
            ],
        )
        for snap in catalog.playlists_on_day(day).values()
    ]


def test_same_seed_same_catalog_other_seed_other_catalog() -> None:
    first, second = Catalog.generate(seed=42), Catalog.generate(seed=42)
    assert _fingerprint(first, 0) == _fingerprint(second, 0)
    assert _fingerprint(first, 3) == _fingerprint(second, 3)
    assert list(first.artists) == list(second.artists)
    assert _fingerprint(Catalog.generate(seed=43), 0) != _fingerprint(first, 0)


def test_days_do_not_depend_on_the_order_they_are_asked_in() -> None:
    forwards, backwards = Catalog.generate(seed=5), Catalog.generate(seed=5)
    expected = [_fingerprint(forwards, day) for day in range(6)]
    assert [_fingerprint(backwards, day) for day in reversed(range(6))] == expected[::-1]


def test_playlists_owners_and_sizes(catalog: Catalog) -> None:
    day0 = catalog.playlists_on_day(0)
    assert len(catalog.user_playlist_ids) == 5
    assert catalog.editorial_playlist_ids == (TOP50_GLOBAL_ID,)
    assert len(catalog.foreign_playlist_ids) == 1
    assert list(day0) == [
        *catalog.user_playlist_ids,
        *catalog.foreign_playlist_ids,
        *catalog.editorial_playlist_ids,
    ]
    sizes = [day0[pid].total for pid in catalog.user_playlist_ids]
    assert sizes == [130, 40, 40, 40, 40]  # the first is longer than one 100-entry page
    assert day0[TOP50_GLOBAL_ID].total == 50
    assert day0[catalog.foreign_playlist_ids[0]].playlist.owner is catalog.friend_user
    for pid in catalog.user_playlist_ids:
        assert not pid.startswith(EDITORIAL_PREFIXES)
        assert day0[pid].playlist.owner is catalog.demo_user
    # The collaborative playlist has entries added by the friend too.
    collaborative = [day0[p] for p in catalog.user_playlist_ids if day0[p].playlist.collaborative]
    assert collaborative and not collaborative[0].playlist.public
    assert {e.added_by.id for e in collaborative[0].entries} == {
        catalog.demo_user.id,
        catalog.friend_user.id,
    }


def test_ids_are_22_character_base62_and_unique(catalog: Catalog) -> None:
    ids = [*catalog.artists, *catalog.albums, *catalog.tracks, *catalog.playlists]
    assert all(BASE62_ID.match(i) for i in ids)
    assert len(ids) == len(set(ids))


def test_catalog_covers_the_edge_cases_on_the_users_playlists(catalog: Catalog) -> None:
    day0 = catalog.playlists_on_day(0)
    entries = [e for pid in catalog.user_playlist_ids for e in day0[pid].entries]
    items = [e.item for e in entries]
    tracks = [i for i in items if isinstance(i, Track)]
    assert any(isinstance(i, LocalTrack) for i in items)
    assert any(isinstance(i, Episode) for i in items)
    assert any(i is None for i in items)  # a track no longer available
    assert {t.album.album_type for t in tracks} == {"album", "single", "compilation"}
    assert {t.album.release_date_precision for t in tracks} == {"day", "month", "year"}
    dates = {t.album.release_date_precision: t.album.release_date for t in tracks}
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", dates["day"])
    assert re.fullmatch(r"\d{4}-\d\d", dates["month"])
    assert re.fullmatch(r"\d{4}", dates["year"])
    compilations = [t.album for t in tracks if t.album.album_type == "compilation"]
    assert any(a.artists[0].name == "Various Artists" for a in compilations)
    assert {len(t.artists) for t in tracks} >= {1, 2, 3}
    assert max(len(t.artists) for t in catalog.tracks.values()) <= 3
    names = " ".join(t.name + " " + " ".join(a.name for a in t.artists) for t in tracks)
    scripts = {unicodedata.name(ch).split()[0] for ch in names if ord(ch) > 0x2FF}
    assert {"CYRILLIC", "KATAKANA", "CJK"} <= scripts
    assert any(ord(ch) >= 0x1F300 for ch in names)  # emoji
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", e.added_at) for e in entries)


def test_album_track_lists_and_totals_agree(catalog: Catalog) -> None:
    for album in catalog.albums.values():
        assert album.total_tracks == len(album.tracks) >= 1
        assert [t.track_number for t in album.tracks] == list(range(1, album.total_tracks + 1))
        assert all(t.album is album for t in album.tracks)


def test_playlists_change_from_day_to_day(catalog: Catalog) -> None:
    days = [catalog.playlists_on_day(day) for day in range(8)]
    assert catalog.playlists_on_day(3) == days[3]  # same day, same answer
    top50 = [d[TOP50_GLOBAL_ID] for d in days]
    assert len({s.snapshot_id for s in top50}) == 8  # the chart changes every day
    assert len({e.added_at for e in top50[1].entries}) == 1  # one added_at, like the real one
    for pid in catalog.user_playlist_ids:
        snaps = [d[pid] for d in days]
        for before, after in zip(snaps, snaps[1:], strict=False):
            same_content = before.entries == after.entries
            assert (before.snapshot_id == after.snapshot_id) == same_content
        assert len({s.snapshot_id for s in snaps}) > 1
    # Over a week, entries were added, removed and moved somewhere.
    first, last = days[0][catalog.user_playlist_ids[0]], days[7][catalog.user_playlist_ids[0]]
    before = [id(e) for e in first.entries]
    after = [id(e) for e in last.entries]
    assert set(after) - set(before) and set(before) - set(after)
    # New entries on day N were added during the day before.
    new_entries = [e for e in last.entries if id(e) not in set(before)]
    assert all("2026-01-01" <= e.added_at[:10] <= "2026-01-07" for e in new_entries)


def test_reorders_happen() -> None:
    catalog = Catalog.generate(seed=3)
    pid = catalog.user_playlist_ids[0]
    for day in range(1, 30):
        before = catalog.playlist_on_day(pid, day - 1).entries
        after = catalog.playlist_on_day(pid, day).entries
        kept = set(map(id, before)) & set(map(id, after))
        if [id(e) for e in before if id(e) in kept] != [id(e) for e in after if id(e) in kept]:
            return
    pytest.fail("no entry moved in 30 days")


def test_edge_cases_survive_the_days(catalog: Catalog) -> None:
    far = catalog.playlists_on_day(400)  # the demo asks for days since 2026-01-01
    items = [e.item for pid in catalog.user_playlist_ids for e in far[pid].entries]
    assert any(isinstance(i, LocalTrack) for i in items)
    assert any(isinstance(i, Episode) for i in items)
    assert any(i is None for i in items)
    for pid in catalog.user_playlist_ids:  # sizes stay near their targets
        assert 0.7 * catalog.playlists_on_day(0)[pid].total <= far[pid].total
        assert far[pid].total <= 1.4 * catalog.playlists_on_day(0)[pid].total
    with pytest.raises(ValueError):
        catalog.playlists_on_day(-1)


def test_tens_of_thousands_of_entries_generate_quickly() -> None:
    started = time.perf_counter()
    big = Catalog.generate(
        seed=7, n_playlists=40, tracks_per_playlist=500, long_playlist_tracks=1000
    )
    entries = sum(s.total for s in big.playlists_on_day(0).values())
    big.playlists_on_day(2)
    elapsed = time.perf_counter() - started
    assert entries > 20_000
    assert elapsed < 5, f"{entries} entries took {elapsed:.2f} s"
