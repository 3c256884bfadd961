"""Hostile or broken API answers: what is requested, what lands, what is set aside.

One test per fault the replica injects. A refused answer costs only what it was for
(a playlist, or one artist or album); the pages before it and the other playlists
land, the run reports it and fails, and a later run is not affected.
"""

from collections import Counter
from pathlib import Path

import pytest

from ingestion.errors import ExtractionIncompleteError, Unreachable, UnsafePaging
from ingestion.spotify.client import RequestStats, SpotifyCredentials, get_json, make_client
from ingestion.spotify_replica import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN
from orchestration import steps
from orchestration.config import Settings
from tests.cli import run_cli
from tests.conftest import source_args
from tests.ingestion.test_incremental import EMBEDDED, _kinds, _lake


def _longest(server) -> str:
    """The playlist whose entries need pages after the embedded first one (130 entries)."""
    playlist_id = max(server.user_playlist_ids, key=lambda p: server.playlist_snapshot(p).total)
    assert server.playlist_snapshot(playlist_id).total > EMBEDDED
    return playlist_id


def _extract_failing(data_dir: Path, args: dict) -> ExtractionIncompleteError:
    with pytest.raises(ExtractionIncompleteError) as raised:
        steps.extract(Settings.resolve(data_dir), args)
    return raised.value


def _entries(data_dir: Path, playlist_id: str) -> list[int]:
    records = _lake(Settings.resolve(data_dir), "playlist_entries")
    return sorted(r["position"] for r in records if r["playlist_id"] == playlist_id)


def _quarantined(data_dir: Path) -> dict[str, bytes]:
    """The files set aside, by name (reason files apart)."""
    folder = Settings.resolve(data_dir).lake_url
    return {
        path.name: path.read_bytes()
        for path in Path(folder).glob("quarantine/api/date=*/*")
        if not path.name.endswith(".reason.txt")
    }


# -- paging ----------------------------------------------------------------------------------


def test_a_next_pointing_to_its_own_page_is_not_requested(replica_factory, data_dir):
    server = replica_factory(mode="current")
    playlist_id = _longest(server)
    server.inject_paging("self")  # the first page, inside the playlist object
    error = _extract_failing(data_dir, source_args(server, playlists=[playlist_id], enrich=False))
    assert _kinds(server) == Counter({"token": 1, "playlist": 1})  # no entries request at all
    assert _entries(data_dir, playlist_id) == list(range(EMBEDDED))  # the page before landed
    [message] = error.failures
    assert message.startswith(playlist_id) and "points back to a page already read" in message


def test_a_next_pointing_back_stops_the_playlist_and_keeps_its_pages(replica_factory, data_dir):
    server = replica_factory(mode="current")
    playlist_id, other = _longest(server), server.user_playlist_ids[-1]
    total = server.playlist_snapshot(playlist_id).total
    # The page after the embedded one points back to offset 50.
    server.inject_paging("back", after=2)
    error = _extract_failing(
        data_dir, source_args(server, playlists=[playlist_id, other], enrich=False)
    )
    assert _kinds(server) == Counter({"token": 1, "playlist": 2, "entries": 1})
    assert _entries(data_dir, playlist_id) == list(range(total))
    assert _entries(data_dir, other) == list(range(server.playlist_snapshot(other).total))
    [message] = error.failures
    assert "offset 50" in message and "the next run reads it again" in message


def test_a_server_that_ignores_the_offset_is_not_read_in_a_loop(replica_factory, data_dir):
    server = replica_factory(mode="current")
    playlist_id = _longest(server)
    server.inject_paging("stuck", count=20, after=1)  # every later page is the first one
    error = _extract_failing(data_dir, source_args(server, playlists=[playlist_id], enrich=False))
    assert _kinds(server) == Counter({"token": 1, "playlist": 1, "entries": 1})
    assert _entries(data_dir, playlist_id) == list(range(EMBEDDED))  # nothing landed twice
    assert "answered offset 0 for offset 100" in error.failures[0]


def test_a_next_on_another_host_gets_no_request_and_no_token(replica_factory, data_dir):
    server = replica_factory(mode="current")
    elsewhere = replica_factory(mode="current")  # stands for the other host: it counts requests
    playlist_id = _longest(server)
    server.inject_paging("foreign", foreign_base_url=elsewhere.api_base_url)
    error = _extract_failing(data_dir, source_args(server, playlists=[playlist_id], enrich=False))
    assert elsewhere.request_count == 0
    assert _kinds(server) == Counter({"token": 1, "playlist": 1})
    assert _entries(data_dir, playlist_id) == list(range(EMBEDDED))
    [message] = error.failures
    assert f"127.0.0.1:{elsewhere.port}" in message and "token stays with" in message


def test_a_total_that_grows_past_the_first_page_does_not_page_on(replica_factory, data_dir):
    server = replica_factory(mode="current")
    playlist_id = _longest(server)
    total = server.playlist_snapshot(playlist_id).total
    # From the second page on: a total of a million and a `next` that never ends.
    server.inject_paging("lying_total", count=20, after=1)
    error = _extract_failing(data_dir, source_args(server, playlists=[playlist_id], enrich=False))
    # The first page's total (130) allows one page of 50 after the embedded 100.
    assert _kinds(server) == Counter({"token": 1, "playlist": 1, "entries": 1})
    assert _entries(data_dir, playlist_id) == list(range(total))
    assert f"total of {total} entries" in error.failures[0]


def test_a_lying_total_from_the_start_stops_at_the_first_empty_page(replica_factory, data_dir):
    server = replica_factory(mode="current")
    playlist_id = _longest(server)
    total = server.playlist_snapshot(playlist_id).total
    server.inject_paging("lying_total", count=20)
    error = _extract_failing(data_dir, source_args(server, playlists=[playlist_id], enrich=False))
    # The real last page, then one empty page that still points further.
    assert _kinds(server) == Counter({"token": 1, "playlist": 1, "entries": 2})
    assert _entries(data_dir, playlist_id) == list(range(total))
    assert "a page without entries" in error.failures[0]


def test_unsafe_paging_is_an_error_kind_not_words():
    assert issubclass(UnsafePaging, Exception)
    assert UnsafePaging("x", kind="foreign_host").kind == "foreign_host"


# -- bodies ----------------------------------------------------------------------------------


def test_a_lone_surrogate_is_set_aside_and_the_other_playlists_land(replica_factory, data_dir):
    server = replica_factory(mode="current")
    poisoned, *others = server.user_playlist_ids[:3]
    server.inject_body("lone_surrogate")  # the first playlist object's name: "\ud800"
    args = source_args(server, playlists=[poisoned, *others], enrich=False)
    error = _extract_failing(data_dir, args)
    assert _kinds(server) == Counter({"token": 1, "playlist": 3})  # not asked again
    landed = {r["playlist_id"] for r in _lake(Settings.resolve(data_dir), "playlists")}
    assert landed == set(others)
    [message] = error.failures
    assert message.startswith(poisoned) and "lone UTF-16 surrogate" in message
    [(name, content)] = _quarantined(data_dir).items()
    assert poisoned in name and b"\\ud800" in content  # the bytes as they came
    assert error.result.report.quarantined[0].endswith(name) and name in message

    # The next run is not affected: it reads the playlist, and the warehouse loads it all.
    result = steps.extract(Settings.resolve(data_dir), args)
    assert result.report.failures == []
    assert steps.load(Settings.resolve(data_dir)).rows["playlists"] == 2 * len(others) + 1


def test_deep_nesting_on_a_later_page_keeps_the_pages_before(replica_factory, data_dir):
    server = replica_factory(mode="current")
    playlist_id = _longest(server)
    server.inject_body("deep", after=1)  # the page after the embedded one
    error = _extract_failing(data_dir, source_args(server, playlists=[playlist_id], enrich=False))
    assert _kinds(server) == Counter({"token": 1, "playlist": 1, "entries": 1})
    assert _entries(data_dir, playlist_id) == list(range(EMBEDDED))
    assert "nested deeper than 64 levels" in error.failures[0]
    [content] = _quarantined(data_dir).values()
    assert content.count(b"[") > 100_000


def test_invalid_utf8_in_an_artist_costs_that_artist_only(replica_factory, data_dir):
    server = replica_factory(mode="current")
    server.inject_body("invalid_utf8", after=1)  # the first artist or album asked for
    error = _extract_failing(data_dir, _smallest_playlist_args(server))
    [message] = error.failures
    assert message.startswith("enrichment failure (") and "not valid UTF-8" in message
    report = error.result.report
    fetched = sum(done for done, _ in report.enrichment.values())
    needed = sum(wanted for _, wanted in report.enrichment.values())
    kinds = _kinds(server)
    assert fetched == needed - 1 == kinds["artists"] + kinds["albums"] - 1  # every other one
    assert b"\xff" in next(iter(_quarantined(data_dir).values()))


def test_an_oversized_answer_is_not_read(replica_factory, data_dir):
    server = replica_factory(mode="current")
    big, small = server.user_playlist_ids[:2]
    server.inject_body("oversized")  # 33 MiB
    error = _extract_failing(data_dir, source_args(server, playlists=[big, small], enrich=False))
    assert _kinds(server) == Counter({"token": 1, "playlist": 2})
    assert "larger than 32 MiB" in error.failures[0]
    assert _entries(data_dir, small) == list(range(server.playlist_snapshot(small).total))
    assert list(_quarantined(data_dir).values()) == [b""]  # the reason is kept, not the bytes


def test_a_token_answer_is_refused_but_never_kept(replica_factory, data_dir):
    server = replica_factory(mode="current")
    first, second = server.user_playlist_ids[:2]
    server.inject_body("deep", endpoint="token")  # token answers carry secrets
    error = _extract_failing(data_dir, source_args(server, playlists=[first, second], enrich=False))
    assert _kinds(server) == Counter({"token": 2, "playlist": 1})  # a new token for the second
    [message] = error.failures
    assert message.startswith(first) and "nested deeper than 64 levels" in message
    assert _quarantined(data_dir) == {} and "set aside" not in message
    assert _entries(data_dir, second) == list(range(server.playlist_snapshot(second).total))


@pytest.mark.parametrize(
    ("inject", "expected"),
    [
        (lambda server: server.inject_body("lone_surrogate"), "set aside in"),
        (lambda server: server.inject_paging("self"), "points back to a page already read"),
    ],
    ids=["lone_surrogate", "next_to_itself"],
)
def test_the_cli_says_what_went_wrong_in_one_message(replica_factory, tmp_path, inject, expected):
    server = replica_factory(mode="current")
    playlist_id = server.user_playlist_ids[0]
    inject(server)
    result = run_cli(
        "extract",
        "--data-dir",
        str(tmp_path / "data"),
        env={
            "SOURCES__SPOTIFY__CLIENT_ID": DEMO_CLIENT_ID,
            "SOURCES__SPOTIFY__CLIENT_SECRET": DEMO_CLIENT_SECRET,
            "SOURCES__SPOTIFY__REFRESH_TOKEN": DEMO_REFRESH_TOKEN,
            "SOURCES__SPOTIFY__PLAYLISTS": f"{playlist_id},{server.user_playlist_ids[1]}",
            "SOURCES__SPOTIFY__ENRICH": "false",
            "SPOTIFY_API_BASE_URL": server.api_base_url,
            "SPOTIFY_ACCOUNTS_BASE_URL": server.accounts_base_url,
        },
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    # Logged when it happens, then once in the closing error; the other playlist landed.
    closing = result.stderr.split("error: ", 1)[1]
    assert closing.count(expected) == 1 and closing.count(playlist_id) >= 1, result.stderr
    assert "1 playlist(s) could not be read" in closing
    assert _entries(tmp_path / "data", server.user_playlist_ids[1])


# -- slow answers and enrichment -------------------------------------------------------------


def test_a_read_timeout_is_asked_again(replica_factory, data_dir):
    server = replica_factory(mode="current")
    playlist_id = _longest(server)
    server.inject_delay(2.0, after=1)  # the page after the embedded one hangs once
    args = source_args(server, playlists=[playlist_id], enrich=False, request_timeout_seconds=0.5)
    result = steps.extract(Settings.resolve(data_dir), args)
    assert result.report.failures == [] and result.report.stats.retries == 1
    assert _kinds(server) == Counter({"token": 1, "playlist": 1, "entries": 2})
    assert result.report.stats.requests == server.request_count  # the unanswered one counts
    total = server.playlist_snapshot(playlist_id).total
    assert _entries(data_dir, playlist_id) == list(range(total))


def test_an_answer_that_never_comes_in_time_is_one_message(replica_factory):
    server = replica_factory(mode="current")
    server.inject_delay(2.0, count=5)
    stats = RequestStats()
    client = make_client(
        SpotifyCredentials(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN),
        api_base_url=server.api_base_url,
        accounts_base_url=server.accounts_base_url,
        stats=stats,
        max_retries=1,
        timeout=0.3,
    )
    playlist_id = server.user_playlist_ids[0]
    with pytest.raises(Unreachable) as raised:
        get_json(client, f"playlists/{playlist_id}", f"reading playlist {playlist_id}")
    assert "did not answer in time" in str(raised.value)
    assert _kinds(server) == Counter({"token": 1, "playlist": 2})  # asked once more
    assert stats.requests == server.request_count and stats.retries == 1


def _smallest_playlist_args(server) -> dict:
    playlist_id = min(server.user_playlist_ids, key=lambda p: server.playlist_snapshot(p).total)
    return source_args(server, api_mode="current", playlists=[playlist_id])


def test_enrichment_goes_on_past_failed_objects(replica_factory, data_dir):
    server = replica_factory(mode="current")
    server.inject_errors(status=400, count=2, after=1)  # two enrichment requests in a row
    error = _extract_failing(data_dir, _smallest_playlist_args(server))
    assert len(error.failures) == 2
    assert all(f.startswith("enrichment failure (") for f in error.failures)
    report = error.result.report
    assert sum(done for done, _ in report.enrichment.values()) == (
        sum(wanted for _, wanted in report.enrichment.values()) - 2
    )


def test_three_failures_in_a_row_stop_the_enrichment_with_one_message(replica_factory, data_dir):
    server = replica_factory(mode="current")
    server.inject_errors(status=400, count=3, after=1)
    error = _extract_failing(data_dir, _smallest_playlist_args(server))
    kinds = _kinds(server)
    assert kinds["artists"] + kinds["albums"] == 3  # nothing asked after the third
    [message] = error.failures
    assert message.startswith("enrichment stopped after 3 failures in a row")
    assert "playlist(s) could not be read" not in str(error)
