"""A deterministic, seeded music catalog for the replica: playlists that change day by day.

Everything comes from one `random.Random(seed)` (and, for each simulated day, a
`Random` seeded with the seed, the playlist id and the day), never from the
global generator, so the same seed gives the same ids, names and changes on
every machine. Objects are plain slotted classes; the JSON shapes are built
from them on demand by `render.Renderer`.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import random
import string
import struct
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote_plus

logger = logging.getLogger(__name__)

BASE62 = string.digits + string.ascii_letters
# Spotify-owned editorial/algorithmic playlists: 404 for development-mode apps since Nov 2024.
EDITORIAL_PREFIXES = ("37i9dQZF1", "37i9dQZEVX")
TOP50_GLOBAL_ID = "37i9dQZEVXbMDoHDwVN2tF"
# Spotify's real "Various Artists" artist (album artist of compilations, as in the Top 50 capture).
VARIOUS_ARTISTS_ID = "0LyfQWJT6nXafLPZqxe9Of"
DEFAULT_START_DATE = date(2026, 1, 1)

_DAY = 86_400


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_USER_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_LATIN_SYLLABLES = _words(
    "ka lo mi ra ne so ta vi el an or us be da fi ju ko li ma no pe ri sa te va zo ly ar en is"
)
_ADJECTIVES = _words(
    "Midnight Electric Golden Silent Neon Paper Velvet Wild Broken Lonely Crystal "
    "Endless Sweet Burning Hidden Northern Restless Faded"
)
_NOUNS = _words(
    "River Fire Echo Summer Ghost Satellite Heart City Ocean Dream Glass Stars "
    "Highway Garden Signal Rain Mirror Thunder Horizon Letters"
)
_SUFFIXES = (" - Remastered 2011", " - Radio Edit", " (Live)", " - Acoustic", " - Sped Up")
_EMOJI = ("🔥", "🌙", "💔", "✨", "🌴", "🎉", "❤️‍🔥", "🫶", "🌊", "🚀")
_JP_SURNAMES = ("佐藤", "鈴木", "高橋", "田中", "中村", "小林", "山本")
_JP_KANA = (
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
)
_JP_WORDS = ("夜", "星", "空", "月", "海", "花", "雨", "夢", "光", "風", "恋", "街")
_CYR_SYLLABLES = _words("ка ло ми ра не со та ви зе ру до жа ва ни бе")
_CYR_WORDS = ("Зима", "Город", "Небо", "Ночь", "Звезда", "Море", "Лето", "Ветер", "Дорога")
_KO_WORDS = ("밤하늘", "봄날", "너에게", "별빛", "바다", "우리의 여름")
_ACCENTED = ("Zoë", "Ångström", "Señora", "Café", "Niño", "Björk", "Élodie", "Łucja", "Ðorđe")
_GENRES = (
    "pop",
    "dance pop",
    "indie pop",
    "indie folk",
    "j-pop",
    "city pop",
    "russian rock",
    "k-pop",
    "afrobeats",
    "reggaeton",
    "uk garage",
    "techno",
    "bossa nova",
    "hip hop",
    "art rock",
    "singer-songwriter",
    "lo-fi beats",
)
_LABELS = (
    "Kestrel Records",
    "Moonrise Music",
    "Blue Fjord Records",
    "Paper Lantern Music",
    "Northern Lights Audio",
    "星空レコード",
    "Ночной Лейбл",
    "Casa Verde Discos",
)
_ISRC_COUNTRIES = ("US", "GB", "SE", "JP", "RU", "DE", "FR", "KR", "BR", "NG")
_USER_PLAYLIST_NAMES = (
    "Long Drive Home",
    "Morning Coffee ☕",
    "Ночной город",
    "シティポップ Favourites",
    "Gym 💪 Bangers",
    "Rainy Day",
    "Throwbacks",
    "Focus",
)
_DESCRIPTIONS = ("", "Songs we can&#x27;t stop playing", "", "Mostly new finds, some old ones.")


@dataclass(slots=True, eq=False)
class User:
    id: str
    display_name: str | None


@dataclass(slots=True, eq=False)
class Artist:
    id: str
    name: str
    genres: tuple[str, ...] = ()
    popularity: int = 0
    followers: int = 0


@dataclass(slots=True, eq=False)
class Album:
    id: str
    name: str
    album_type: str  # album, single or compilation
    artists: tuple[Artist, ...]
    release_date: str
    release_date_precision: str  # day, month or year
    label: str
    popularity: int
    upc: str
    tracks: list[Track] = field(default_factory=list)

    @property
    def total_tracks(self) -> int:
        return len(self.tracks)


@dataclass(slots=True, eq=False)
class Track:
    id: str
    name: str
    album: Album
    artists: tuple[Artist, ...]
    disc_number: int
    track_number: int
    duration_ms: int
    explicit: bool
    popularity: int
    isrc: str


@dataclass(slots=True, eq=False)
class LocalTrack:
    """A local file added to a playlist: Spotify gives it null ids and a spotify:local: uri."""

    name: str
    artist_name: str
    album_name: str
    duration_ms: int

    @property
    def uri(self) -> str:
        parts = (self.artist_name, self.album_name, self.name)
        return (
            "spotify:local:"
            + ":".join(quote_plus(p) for p in parts)
            + (f":{self.duration_ms // 1000}")
        )


@dataclass(slots=True, eq=False)
class Show:
    id: str
    name: str
    publisher: str
    description: str
    total_episodes: int
    languages: tuple[str, ...]
    explicit: bool


@dataclass(slots=True, eq=False)
class Episode:
    id: str
    name: str
    show: Show
    description: str
    duration_ms: int
    release_date: str
    explicit: bool
    language: str


Item = Track | LocalTrack | Episode


@dataclass(frozen=True, slots=True)
class Entry:
    """One playlist entry. `item` None is a track that is no longer available."""

    item: Item | None
    added_at: str
    added_by: User
    # Pinned entries are never removed by the daily changes, so the edge cases
    # (local file, episode, removed track, non-Latin names...) exist on every day.
    pinned: bool = False


@dataclass(slots=True, eq=False)
class Playlist:
    id: str
    name: str
    description: str
    owner: User
    public: bool
    collaborative: bool
    followers: int
    editorial: bool = False


@dataclass(frozen=True, slots=True)
class PlaylistSnapshot:
    """A playlist as it is on one simulated day."""

    playlist: Playlist
    day: int
    version: int
    snapshot_id: str
    entries: tuple[Entry, ...]
    # Tracks removed on recent days: users put some of them back (a re-entry).
    dropped: tuple[Track, ...] = ()

    @property
    def id(self) -> str:
        return self.playlist.id

    @property
    def total(self) -> int:
        return len(self.entries)


def _timestamp(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


class _Names:
    """Names in several scripts, some with emoji, drawn from one Random."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def _latin_word(self, syllables: int) -> str:
        return "".join(self.rng.choices(_LATIN_SYLLABLES, k=syllables)).capitalize()

    def _cyrillic_word(self) -> str:
        return "".join(self.rng.choices(_CYR_SYLLABLES, k=self.rng.randint(2, 3))).capitalize()

    def artist(self, script: str | None = None) -> str:
        rng = self.rng
        script = script or rng.choices(("latin", "ja", "ru", "ko", "accented"), (85, 5, 5, 2, 3))[0]
        if script == "ja":
            kana = "".join(rng.choices(_JP_KANA, k=rng.randint(2, 4)))
            return rng.choice(_JP_SURNAMES) + kana if rng.random() < 0.5 else kana
        if script == "ru":
            return f"{self._cyrillic_word()} {self._cyrillic_word()}{rng.choice(('ов', 'ева'))}"
        if script == "ko":
            return rng.choice(("하늘", "민지", "서연", "지훈")) + rng.choice(("", " & 친구들"))
        if script == "accented":
            return f"{rng.choice(_ACCENTED)} {self._latin_word(2)}"
        style = rng.random()
        if style < 0.5:
            return f"{self._latin_word(2)} {self._latin_word(rng.randint(2, 3))}"
        if style < 0.75:
            return f"The {rng.choice(_NOUNS)}s"
        if style < 0.9:
            return self._latin_word(rng.randint(2, 3)).upper()
        return f"{rng.choice(('DJ', 'Lil', 'MC'))} {self._latin_word(2)}"

    def title(self, script: str | None = None) -> str:
        rng = self.rng
        script = script or rng.choices(("latin", "ja", "ru", "ko", "accented"), (86, 5, 5, 2, 2))[0]
        if script == "ja":
            name = f"{rng.choice(_JP_WORDS)}の{rng.choice(_JP_WORDS)}"
        elif script == "ru":
            name = rng.choice(_CYR_WORDS)
            if rng.random() < 0.4:
                name += f" и {rng.choice(_CYR_WORDS).lower()}"
        elif script == "ko":
            name = rng.choice(_KO_WORDS)
        elif script == "accented":
            name = f"{rng.choice(_ACCENTED)} {rng.choice(_NOUNS)}"
        else:
            form = rng.random()
            if form < 0.55:
                name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
            elif form < 0.75:
                name = f"The {rng.choice(_NOUNS)}"
            else:
                name = f"{rng.choice(_NOUNS)} of {rng.choice(_NOUNS)}s"
            if rng.random() < 0.08:
                name += rng.choice(_SUFFIXES)
        if rng.random() < 0.05:
            name += " " + rng.choice(_EMOJI)
        return name


class _Builder:
    """Generates one catalog; kept apart so that `Catalog` only holds data and days."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.names = _Names(self.rng)
        self.ids: set[str] = set()
        self.artists: dict[str, Artist] = {}
        self.albums: dict[str, Album] = {}
        self.tracks: dict[str, Track] = {}

    def base62(self) -> str:
        while True:
            new = "".join(self.rng.choices(BASE62, k=22))
            if new not in self.ids and not new.startswith(EDITORIAL_PREFIXES):
                self.ids.add(new)
                return new

    def user_id(self) -> str:
        # Accounts created since ~2016 have ids like 31xxxxxxxxxxxxxxxxxxxxxxxxxx.
        return "31" + "".join(self.rng.choices(_USER_ID_ALPHABET, k=26))

    def artist(self, script: str | None = None) -> Artist:
        rng = self.rng
        genres = tuple(rng.sample(_GENRES, rng.choice((0, 1, 1, 2, 3))))
        artist = Artist(
            id=self.base62(),
            name=self.names.artist(script),
            genres=genres,
            popularity=int(rng.betavariate(2, 3) * 100),
            followers=int(10 ** rng.uniform(2, 7.5)),
        )
        self.artists[artist.id] = artist
        return artist

    def release_date(self) -> tuple[str, str]:
        rng = self.rng
        year = max(1960, 2025 - int(rng.expovariate(1 / 6)))
        precision = rng.choices(("day", "month", "year"), (85, 8, 7))[0]
        if precision == "year":
            return str(year), precision
        if precision == "month":
            return f"{year}-{rng.randint(1, 12):02d}", precision
        return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", precision

    def album(
        self,
        pool: list[Artist],
        various: Artist,
        album_type: str | None = None,
        artists: tuple[Artist, ...] | None = None,
        release: tuple[str, str] | None = None,
        n_tracks: int | None = None,
        title_script: str | None = None,
    ) -> Album:
        rng = self.rng
        album_type = album_type or rng.choices(("album", "single", "compilation"), (55, 37, 8))[0]
        if artists is None:
            if album_type == "compilation":
                artists = (various,)
            else:
                artists = tuple(rng.sample(pool, 2 if rng.random() < 0.12 else 1))
        if n_tracks is None:
            low, high = {"album": (8, 16), "single": (1, 4), "compilation": (12, 20)}[album_type]
            n_tracks = rng.randint(low, high)
        release_date, precision = release or self.release_date()
        label = rng.choice(_LABELS)
        album = Album(
            id=self.base62(),
            name="",
            album_type=album_type,
            artists=artists,
            release_date=release_date,
            release_date_precision=precision,
            label=label,
            popularity=int(rng.betavariate(2, 4) * 100),
            upc=str(rng.randrange(10**11, 10**13)),
        )
        year = release_date[2:4]
        registrant = "".join(rng.choices(string.ascii_uppercase + string.digits, k=3))
        country = rng.choice(_ISRC_COUNTRIES)
        for number in range(1, n_tracks + 1):
            performers = (rng.choice(pool),) if album_type == "compilation" else artists
            featured: tuple[Artist, ...] = ()
            roll = rng.random()
            if roll < 0.04:
                featured = tuple(rng.sample(pool, 2))
            elif roll < 0.16:
                featured = (rng.choice(pool),)
            # 1 to 3 artists per track, like nearly all real ones.
            featured = tuple(a for a in featured if a not in performers)[: 3 - len(performers)]
            name = self.names.title(title_script if number == 1 else None)
            if featured:
                name += f" (feat. {' & '.join(a.name for a in featured)})"
            track = Track(
                id=self.base62(),
                name=name,
                album=album,
                artists=performers + featured,
                disc_number=1,
                track_number=number,
                duration_ms=min(600_000, max(60_000, int(rng.gauss(205_000, 45_000)))),
                explicit=rng.random() < 0.35,
                popularity=int(rng.betavariate(2, 3) * 100),
                isrc=f"{country}{registrant}{year}{rng.randrange(100_000):05d}",
            )
            album.tracks.append(track)
            self.tracks[track.id] = track
        if album_type == "single":
            album.name = album.tracks[0].name.split(" (feat. ")[0]
        elif album_type == "compilation":
            album.name = f"Best of {rng.choice(_NOUNS)} Vol. {rng.randint(1, 9)}"
        else:
            album.name = self.names.title(title_script)
        self.albums[album.id] = album
        return album


class Catalog:
    """A generated catalog and its playlists, day by day. Build one with `Catalog.generate`."""

    def __init__(
        self,
        *,
        seed: int,
        start_date: date,
        demo_user: User,
        friend_user: User,
        spotify_user: User,
        editorial_added_by: User,
        artists: dict[str, Artist],
        albums: dict[str, Album],
        tracks: dict[str, Track],
        episodes: dict[str, Episode],
        playlists: dict[str, Playlist],
        day0: dict[str, tuple[Entry, ...]],
        versions: dict[str, int],
        targets: dict[str, int],
    ) -> None:
        self.seed = seed
        self.start_date = start_date
        self.demo_user = demo_user
        self.friend_user = friend_user
        self.spotify_user = spotify_user
        self.editorial_added_by = editorial_added_by
        self.artists = artists
        self.albums = albums
        self.tracks = tracks
        self.episodes = episodes
        self.playlists = playlists
        self._track_list = list(tracks.values())
        self._targets = targets
        self._start_ts = int(datetime.combine(start_date, datetime.min.time(), UTC).timestamp())
        self._lock = threading.Lock()
        self._day0 = self._snapshots(0, {pid: (versions[pid], day0[pid]) for pid in playlists})
        # Recent days only: the demo asks for day (today - 2026-01-01), hundreds of days in.
        self._cache: OrderedDict[int, dict[str, PlaylistSnapshot]] = OrderedDict()

    # -- generation -------------------------------------------------------------------------

    @classmethod
    def generate(
        cls,
        seed: int = 42,
        n_playlists: int = 5,
        tracks_per_playlist: int = 40,
        long_playlist_tracks: int = 130,
        *,
        editorial_tracks: int = 50,
        start_date: date = DEFAULT_START_DATE,
    ) -> Catalog:
        """A deterministic catalog: the same arguments give the same catalog, ids and days.

        `n_playlists` playlists are owned by the demo user (the first has
        `long_playlist_tracks` entries, the others `tracks_per_playlist`); one more
        belongs to another user and one is the editorial "Top 50 - Global".
        """
        if n_playlists < 1 or tracks_per_playlist < 1 or long_playlist_tracks < 1:
            raise ValueError(
                "n_playlists, tracks_per_playlist and long_playlist_tracks must be ≥ 1"
            )
        started = time.perf_counter()
        b = _Builder(seed)
        rng = b.rng
        demo_user = User(b.user_id(), "Demo Listener")
        friend_user = User(b.user_id(), "Mika Järvinen")
        spotify_user = User("spotify", "Spotify")
        # The real Top 50 entries are "added by" a user with an empty id.
        editorial_added_by = User("", None)

        total_entries = long_playlist_tracks + n_playlists * tracks_per_playlist + editorial_tracks
        pool_size = max(300, long_playlist_tracks + 60, int(total_entries * 0.75) + 100)
        various = Artist(VARIOUS_ARTISTS_ID, "Various Artists", (), 0, 0)
        b.artists[various.id] = various
        b.ids.add(various.id)
        pool = [b.artist("latin"), b.artist("ja"), b.artist("ru")]
        pool += [b.artist() for _ in range(max(30, pool_size // 6))]

        # One album of each type and each date precision, their first tracks pinned below.
        showcase_albums = [
            b.album(pool, various, "album", (pool[0],), ("2023-10-27", "day"), 10),
            b.album(pool, various, "single", (pool[1],), ("2019-05", "month"), 2, "ja"),
            b.album(pool, various, "compilation", (various,), ("2021-06-18", "day"), 14),
            b.album(pool, various, "album", (pool[2],), ("1962", "year"), 9, "ru"),
        ]
        first = showcase_albums[0].tracks[0]
        first.name = f"Summer Nights 🌴 (feat. {pool[3].name} & {pool[4].name})"
        first.artists = (pool[0], pool[3], pool[4])
        showcase_albums[2].tracks[0].name = 'Don\'t Stop "Me", Now'
        while len(b.tracks) < pool_size:
            b.album(pool, various)

        show = Show(
            id=b.base62(),
            name="Night Owls Radio 🦉",
            publisher="Owl Media",
            description="Two friends talk about the songs that kept them up at night.",
            total_episodes=128,
            languages=("en",),
            explicit=False,
        )
        episode = Episode(
            id=b.base62(),
            name="Ep. 42: Playlists that change overnight",
            show=show,
            description="Why your favourite playlist looks different every morning.",
            duration_ms=2_071_013,
            release_date="2025-11-20",
            explicit=False,
            language="en",
        )
        local = LocalTrack("Svefn, Vaka", "Ljósbrá (Live Band)", "Heima í kvöld", 273_000)

        playlists: dict[str, Playlist] = {}
        targets: dict[str, int] = {}
        for index in range(n_playlists):
            name = (
                _USER_PLAYLIST_NAMES[index]
                if index < len(_USER_PLAYLIST_NAMES)
                else f"Mix #{index + 1}"
            )
            collaborative = index == 1
            playlist = Playlist(
                id=b.base62(),
                name=name,
                description=_DESCRIPTIONS[index % len(_DESCRIPTIONS)],
                owner=demo_user,
                # Spotify only lets non-public playlists be collaborative.
                public=not collaborative,
                collaborative=collaborative,
                followers=rng.randint(0, 12),
            )
            playlists[playlist.id] = playlist
            targets[playlist.id] = long_playlist_tracks if index == 0 else tracks_per_playlist
        foreign = Playlist(
            b.base62(), "Mika's Favourites", "", friend_user, True, False, rng.randint(0, 500)
        )
        playlists[foreign.id] = foreign
        targets[foreign.id] = tracks_per_playlist
        top50 = Playlist(
            TOP50_GLOBAL_ID,
            "Top 50 - Global",
            "Your daily update of the most played tracks right now - Global.",
            spotify_user,
            True,
            False,
            17_844_305,
            editorial=True,
        )
        playlists[top50.id] = top50
        targets[top50.id] = editorial_tracks

        start_ts = int(datetime.combine(start_date, datetime.min.time(), UTC).timestamp())
        track_list = list(b.tracks.values())
        pinned_items: list[Item | None] = [a.tracks[0] for a in showcase_albums]
        pinned_items += [local, episode, None]
        pinned_ids = {id(item) for item in pinned_items}
        user_ids = [pid for pid, p in playlists.items() if p.owner is demo_user]
        day0: dict[str, tuple[Entry, ...]] = {}
        for pid in [*user_ids, foreign.id]:
            playlist = playlists[pid]
            mine = [it for i, it in enumerate(pinned_items) if user_ids[i % len(user_ids)] == pid]
            count = max(0, targets[pid] - len(mine))
            picks = [
                t
                for t in rng.sample(track_list, min(len(track_list), count + len(pinned_items)))
                if id(t) not in pinned_ids
            ][:count]
            offsets = sorted((rng.randrange(_DAY, 730 * _DAY) for _ in picks), reverse=True)
            entries = [
                Entry(t, _timestamp(start_ts - off), cls._adder(rng, playlist, friend_user))
                for t, off in zip(picks, offsets, strict=True)
            ]
            for item in mine:
                added = _timestamp(start_ts - rng.randrange(_DAY, 730 * _DAY))
                entry = Entry(item, added, playlist.owner, pinned=True)
                entries.insert(rng.randrange(len(entries) + 1), entry)
            day0[pid] = tuple(entries)
        editorial_added = _timestamp(start_ts - _DAY + 31_672)  # 08:47:52, like the capture
        day0[top50.id] = tuple(
            Entry(t, editorial_added, editorial_added_by)
            for t in rng.sample(track_list, min(len(track_list), editorial_tracks))
        )
        versions = {pid: rng.randint(2, 40) for pid in playlists}
        catalog = cls(
            seed=seed,
            start_date=start_date,
            demo_user=demo_user,
            friend_user=friend_user,
            spotify_user=spotify_user,
            editorial_added_by=editorial_added_by,
            artists=b.artists,
            albums=b.albums,
            tracks=b.tracks,
            episodes={episode.id: episode},
            playlists=playlists,
            day0=day0,
            versions=versions,
            targets=targets,
        )
        logger.debug(
            "catalog seed=%d: %d playlists, %d entries, %d tracks in %.2f s",
            seed,
            len(playlists),
            sum(len(e) for e in day0.values()),
            len(b.tracks),
            time.perf_counter() - started,
        )
        return catalog

    @staticmethod
    def _adder(rng: random.Random, playlist: Playlist, friend: User) -> User:
        if playlist.collaborative and rng.random() < 0.4:
            return friend
        return playlist.owner

    # -- lookups ----------------------------------------------------------------------------

    @property
    def user_playlist_ids(self) -> tuple[str, ...]:
        """Playlists the demo user owns: readable through /items in the 2026 API."""
        return tuple(p.id for p in self.playlists.values() if p.owner is self.demo_user)

    @property
    def foreign_playlist_ids(self) -> tuple[str, ...]:
        """Playlists of another user: 403 on /items in the 2026 API."""
        return tuple(p.id for p in self.playlists.values() if p.owner is self.friend_user)

    @property
    def editorial_playlist_ids(self) -> tuple[str, ...]:
        """Spotify-owned playlists: 404 for development-mode apps."""
        return tuple(p.id for p in self.playlists.values() if p.editorial)

    def date_of(self, day: int) -> date:
        return self.start_date + timedelta(days=day)

    # -- days -------------------------------------------------------------------------------

    def playlists_on_day(self, day: int) -> dict[str, PlaylistSnapshot]:
        """Every playlist as it is on a simulated day (0, 1, 2...), in a stable order."""
        if day < 0:
            raise ValueError("day must be ≥ 0")
        if day == 0:
            return dict(self._day0)
        with self._lock:
            if day in self._cache:
                self._cache.move_to_end(day)
                return dict(self._cache[day])
            base_day = max((d for d in self._cache if d < day), default=0)
            state = self._cache[base_day] if base_day else self._day0
            for current in range(base_day + 1, day + 1):
                state = self._next_day(state, current)
            self._cache[day] = state
            while len(self._cache) > 16:
                self._cache.popitem(last=False)
            return dict(state)

    def playlist_on_day(self, playlist_id: str, day: int) -> PlaylistSnapshot:
        return self.playlists_on_day(day)[playlist_id]

    def _snapshots(
        self, day: int, state: dict[str, tuple[int, tuple[Entry, ...]]]
    ) -> dict[str, PlaylistSnapshot]:
        return {
            pid: PlaylistSnapshot(
                self.playlists[pid], day, version, self._snapshot_id(pid, version), entries
            )
            for pid, (version, entries) in state.items()
        }

    def _snapshot_id(self, playlist_id: str, version: int) -> str:
        # Like Spotify's: a version counter then a hash, 32 base64 characters.
        digest = hashlib.blake2b(f"{self.seed}:{playlist_id}:{version}".encode(), digest_size=20)
        return base64.b64encode(struct.pack(">I", version) + digest.digest()).decode()

    def _next_day(
        self, previous: dict[str, PlaylistSnapshot], day: int
    ) -> dict[str, PlaylistSnapshot]:
        state: dict[str, tuple[int, tuple[Entry, ...], tuple[Track, ...]]] = {}
        for pid, snap in previous.items():
            rng = random.Random(f"{self.seed}:{pid}:{day}")
            dropped = snap.dropped
            if snap.playlist.editorial:
                entries = self._evolve_chart(rng, snap.entries, day)
            else:
                entries, dropped = self._evolve_user(rng, snap, day)
            changed = entries is not snap.entries and entries != snap.entries
            state[pid] = (
                (snap.version + 1, entries, dropped)
                if changed
                else (snap.version, snap.entries, snap.dropped)
            )
        return {
            pid: previous[pid]
            if previous[pid].entries is entries
            else PlaylistSnapshot(
                self.playlists[pid],
                day,
                version,
                self._snapshot_id(pid, version),
                entries,
                dropped,
            )
            for pid, (version, entries, dropped) in state.items()
        }

    def _new_track(self, rng: random.Random, present: set[int]) -> Track:
        for _ in range(50):
            track = rng.choice(self._track_list)
            if id(track) not in present:
                return track
        return rng.choice(self._track_list)

    def _evolve_user(
        self, rng: random.Random, snap: PlaylistSnapshot, day: int
    ) -> tuple[tuple[Entry, ...], tuple[Track, ...]]:
        """A user's edits during the day before `day`: some adds (now and then a track
        removed on an earlier day, put back), removals, a move. Returns the entries and
        the recently removed tracks."""
        playlist, entries = snap.playlist, snap.entries
        if rng.random() >= (0.7 if playlist.owner is self.demo_user else 0.4):
            return entries, snap.dropped
        target = self._targets[playlist.id]
        items = list(entries)
        # Balanced on average, nudged back towards the playlist's usual size.
        n_remove = rng.randint(0, 3) + (1 if len(items) > target * 1.1 else 0)
        n_add = rng.randint(0, 3) + (1 if len(items) < target * 0.9 else 0)
        if n_remove == n_add == 0:
            n_add = 1
        removable = [i for i, e in enumerate(items) if not e.pinned]
        removed: list[Track] = []
        for i in sorted(rng.sample(removable, min(n_remove, len(removable))), reverse=True):
            item = items.pop(i).item
            if isinstance(item, Track):
                removed.append(item)
        present = {id(e.item) for e in items if e.item is not None}
        returning = [t for t in snap.dropped if id(t) not in present]
        day_start = self._start_ts + (day - 1) * _DAY
        for _ in range(n_add):
            if returning and rng.random() < 0.4:
                track = returning.pop(rng.randrange(len(returning)))
            else:
                track = self._new_track(rng, present)
            present.add(id(track))
            entry = Entry(
                track,
                _timestamp(day_start + rng.randrange(_DAY)),
                self._adder(rng, playlist, self.friend_user),
            )
            position = len(items) if rng.random() < 0.8 else rng.randrange(len(items) + 1)
            items.insert(position, entry)
        if len(items) > 1 and rng.random() < 0.3:
            source, destination = rng.sample(range(len(items)), 2)
            items.insert(destination, items.pop(source))
        still_out = [t for t in (*snap.dropped, *removed) if id(t) not in present]
        return tuple(items), tuple(still_out[-8:])

    def _evolve_chart(
        self, rng: random.Random, entries: tuple[Entry, ...], day: int
    ) -> tuple[Entry, ...]:
        """The daily chart: some tracks drop out, new ones enter, ranks shift; one added_at."""
        tracks = [e.item for e in entries]
        present = {id(t) for t in tracks}
        for _ in range(rng.randint(2, 6)):
            if not tracks:
                break
            # Tracks near the bottom drop out more often.
            index = min(len(tracks) - 1, int(len(tracks) * (1 - rng.random() ** 2)))
            present.discard(id(tracks.pop(index)))
            new = self._new_track(rng, present)
            present.add(id(new))
            tracks.insert(rng.randrange(len(tracks) // 3, len(tracks) + 1), new)
        for _ in range(rng.randint(3, 10)):
            if len(tracks) > 1:
                i = rng.randrange(len(tracks) - 1)
                tracks[i], tracks[i + 1] = tracks[i + 1], tracks[i]
        added_at = _timestamp(self._start_ts + (day - 1) * _DAY + 31_672)
        added_by = self.editorial_added_by
        return tuple(Entry(t, added_at, added_by) for t in tracks)
