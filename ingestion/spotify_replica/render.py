"""JSON shapes of the Web API objects, per API mode, built from the catalog on demand.

Key order and fields follow real captured responses (see the project's
tests/fixtures/spotify/): the legacy shape is the 2023 Top 50 capture, the
current one the 2026 development-mode shape, which drops `popularity`,
`available_markets`, artist `followers`, album `label` and show `publisher`.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote, urlencode

from ingestion.spotify_replica.catalog import (
    Album,
    Artist,
    Entry,
    Episode,
    LocalTrack,
    PlaylistSnapshot,
    Show,
    Track,
    User,
)

MODES = ("current", "legacy")
# A short, fixed list: the real one has ~185 codes, which only makes pages bigger.
_MARKET_CODES = (
    "AR AU AT BE BO BR BG CA CL CO CR CY CZ DK DO DE EC EE SV FI FR GR GT HN HK HU IS IE IT LV "
    "LT LU MY MT MX NL NZ NI NO PA PY PE PH PL PT SG SK ES SE CH TW TR UY US GB JP KR NG ZA"
)
MARKETS = _MARKET_CODES.split()
EMBEDDED_PAGE_LIMIT = 100  # the first page inside a playlist object, as in the captures

JSON = dict[str, Any]


def _image_hash(key: str) -> str:
    return hashlib.md5(key.encode(), usedforsecurity=False).hexdigest()[:24]


class Renderer:
    """Builds response objects for one server: its base URL, its mode, its key style."""

    def __init__(self, api_base_url: str, mode: str, dual_keys: bool = False) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        self.api = api_base_url.rstrip("/")
        self.mode = mode
        self.legacy = mode == "legacy"
        self.dual_keys = dual_keys
        # Shared sub-objects: the same album or artist appears on many tracks.
        self._artist_simple: dict[str, JSON] = {}
        self._album_simple: dict[str, JSON] = {}

    # -- people -----------------------------------------------------------------------------

    def user(self, user: User, *, owner: bool = False) -> JSON:
        uid = quote(user.id)
        obj: JSON = {
            "external_urls": {"spotify": f"https://open.spotify.com/user/{uid}"},
            "href": f"{self.api}/users/{uid}",
            "id": user.id,
            "type": "user",
            "uri": f"spotify:user:{uid}",
        }
        return {"display_name": user.display_name, **obj} if owner else obj

    def me(self, user: User) -> JSON:
        obj = {**self.user(user, owner=True), "images": []}
        if self.legacy:  # removed from development-mode apps in 2026
            obj.update(
                country="SE",
                explicit_content={"filter_enabled": False, "filter_locked": False},
                followers={"href": None, "total": 3},
                product="premium",
            )
        return obj

    # -- artists and albums -----------------------------------------------------------------

    def artist_simple(self, artist: Artist) -> JSON:
        obj = self._artist_simple.get(artist.id)
        if obj is None:
            obj = {
                "external_urls": {"spotify": f"https://open.spotify.com/artist/{artist.id}"},
                "href": f"{self.api}/artists/{artist.id}",
                "id": artist.id,
                "name": artist.name,
                "type": "artist",
                "uri": f"spotify:artist:{artist.id}",
            }
            self._artist_simple[artist.id] = obj
        return obj

    def artist(self, artist: Artist) -> JSON:
        simple = self.artist_simple(artist)
        digest = _image_hash(artist.id)
        images = [
            {
                "height": size,
                "url": f"https://i.scdn.co/image/ab676161{code}{digest}",
                "width": size,
            }
            for size, code in ((640, "0000e5eb"), (320, "00005174"), (160, "0000f178"))
        ]
        obj: JSON = {"external_urls": simple["external_urls"]}
        if self.legacy:
            obj["followers"] = {"href": None, "total": artist.followers}
        obj["genres"] = list(artist.genres)
        obj.update(href=simple["href"], id=artist.id, images=images, name=artist.name)
        if self.legacy:
            obj["popularity"] = artist.popularity
        obj.update(type="artist", uri=simple["uri"])
        return obj

    def _album_images(self, album: Album) -> list[JSON]:
        digest = _image_hash(album.id)
        return [
            {
                "height": size,
                "url": f"https://i.scdn.co/image/ab67616d{code}{digest}",
                "width": size,
            }
            for size, code in ((640, "0000b273"), (300, "00001e02"), (64, "00004851"))
        ]

    def album_simple(self, album: Album) -> JSON:
        obj = self._album_simple.get(album.id)
        if obj is None:
            obj = {
                "album_type": album.album_type,
                "artists": [self.artist_simple(a) for a in album.artists],
            }
            # Kept even with a market: both specs require it on every album object.
            if self.legacy:
                obj["available_markets"] = MARKETS
            obj.update(
                external_urls={"spotify": f"https://open.spotify.com/album/{album.id}"},
                href=f"{self.api}/albums/{album.id}",
                id=album.id,
                images=self._album_images(album),
                name=album.name,
                release_date=album.release_date,
                release_date_precision=album.release_date_precision,
                total_tracks=album.total_tracks,
                type="album",
                uri=f"spotify:album:{album.id}",
            )
            self._album_simple[album.id] = obj
        return obj

    def album(self, album: Album, market: bool = False) -> JSON:
        simple = self.album_simple(album)
        obj: JSON = {"album_type": album.album_type, "total_tracks": album.total_tracks}
        if "available_markets" in simple:
            obj["available_markets"] = simple["available_markets"]
        for key in ("external_urls", "href", "id", "images", "name", "release_date"):
            obj[key] = simple[key]
        obj.update(
            release_date_precision=album.release_date_precision,
            type="album",
            uri=simple["uri"],
            artists=simple["artists"],
            tracks=self.album_tracks_page(album, 0, 50, market),
            copyrights=[
                {"text": f"{album.release_date[:4]} {album.label}", "type": "C"},
                {"text": f"{album.release_date[:4]} {album.label}", "type": "P"},
            ],
            external_ids={"upc": album.upc},
            genres=[],
        )
        if self.legacy:
            obj.update(label=album.label, popularity=album.popularity)
        return obj

    def album_tracks_page(self, album: Album, offset: int, limit: int, market: bool) -> JSON:
        return self.page(
            f"albums/{album.id}/tracks",
            [self.simple_track(t, market) for t in album.tracks[offset : offset + limit]],
            offset,
            limit,
            album.total_tracks,
            max_limit=50,
        )

    # -- tracks and episodes ----------------------------------------------------------------

    def simple_track(self, track: Track, market: bool = False) -> JSON:
        obj: JSON = {"artists": [self.artist_simple(a) for a in track.artists]}
        if self.legacy and not market:
            obj["available_markets"] = MARKETS
        obj.update(
            disc_number=track.disc_number,
            duration_ms=track.duration_ms,
            explicit=track.explicit,
            external_urls={"spotify": f"https://open.spotify.com/track/{track.id}"},
            href=f"{self.api}/tracks/{track.id}",
            id=track.id,
            name=track.name,
            preview_url=None,
            track_number=track.track_number,
            type="track",
            uri=f"spotify:track:{track.id}",
            is_local=False,
        )
        if market:
            obj["is_playable"] = True
        return obj

    def track(self, track: Track, market: bool = False) -> JSON:
        obj: JSON = {
            "album": self.album_simple(track.album),
            "artists": [self.artist_simple(a) for a in track.artists],
        }
        if self.legacy and not market:
            obj["available_markets"] = MARKETS
        obj.update(
            disc_number=track.disc_number,
            duration_ms=track.duration_ms,
            episode=False,
            explicit=track.explicit,
            external_ids={"isrc": track.isrc},
            external_urls={"spotify": f"https://open.spotify.com/track/{track.id}"},
            href=f"{self.api}/tracks/{track.id}",
            id=track.id,
            is_local=False,
        )
        if market:
            obj["is_playable"] = True
        obj["name"] = track.name
        if self.legacy:
            obj["popularity"] = track.popularity
        obj.update(
            preview_url=None,
            track=True,
            track_number=track.track_number,
            type="track",
            uri=f"spotify:track:{track.id}",
        )
        return obj

    def local_track(self, local: LocalTrack) -> JSON:
        # Exactly the shape of captured-2026/playlist_2.json: nulls where ids would be.
        album: JSON = {"album_type": None}
        if self.legacy:
            album["available_markets"] = []
        album.update(
            external_urls={},
            href=None,
            id=None,
            images=[],
            name=local.album_name,
            release_date=None,
            release_date_precision=None,
            type="album",
            uri=None,
            artists=[],
        )
        obj: JSON = {
            "album": album,
            "artists": [
                {
                    "external_urls": {},
                    "href": None,
                    "id": None,
                    "name": local.artist_name,
                    "type": "artist",
                    "uri": None,
                }
            ],
        }
        if self.legacy:
            obj["available_markets"] = []
        obj.update(
            explicit=False,
            preview_url=None,
            type="track",
            disc_number=0,
            external_ids={},
            external_urls={},
            href=None,
            id=None,
            duration_ms=local.duration_ms,
            name=local.name,
            uri=local.uri,
        )
        if self.legacy:
            obj["popularity"] = 0
        obj.update(track_number=0, is_local=True)
        return obj

    def show(self, show: Show) -> JSON:
        obj: JSON = {}
        if self.legacy:
            obj["available_markets"] = MARKETS
        digest = _image_hash(show.id)
        obj.update(
            copyrights=[],
            description=show.description,
            explicit=show.explicit,
            external_urls={"spotify": f"https://open.spotify.com/show/{show.id}"},
            href=f"{self.api}/shows/{show.id}",
            html_description=f"<p>{show.description}</p>",
            id=show.id,
            images=[
                {
                    "height": 640,
                    "url": f"https://i.scdn.co/image/ab6765630000ba8a{digest}",
                    "width": 640,
                },
                {
                    "height": 300,
                    "url": f"https://i.scdn.co/image/ab67656300005f1f{digest}",
                    "width": 300,
                },
            ],
            is_externally_hosted=False,
            languages=list(show.languages),
            media_type="audio",
            name=show.name,
        )
        if self.legacy:
            obj["publisher"] = show.publisher
        obj.update(total_episodes=show.total_episodes, type="show", uri=f"spotify:show:{show.id}")
        return obj

    def episode(self, episode: Episode, market: bool = False) -> JSON:
        digest = _image_hash(episode.id)
        obj: JSON = {
            "audio_preview_url": None,
            "description": episode.description,
            "duration_ms": episode.duration_ms,
            "episode": True,
            "explicit": episode.explicit,
            "external_urls": {"spotify": f"https://open.spotify.com/episode/{episode.id}"},
            "href": f"{self.api}/episodes/{episode.id}",
            "html_description": f"<p>{episode.description}</p>",
            "id": episode.id,
            "images": [
                {
                    "height": 640,
                    "url": f"https://i.scdn.co/image/ab6765630000ba8a{digest}",
                    "width": 640,
                }
            ],
            "is_externally_hosted": False,
        }
        if market:
            obj["is_playable"] = True
        obj.update(
            language=episode.language,
            languages=[episode.language],
            name=episode.name,
            release_date=episode.release_date,
            release_date_precision="day",
        )
        if self.legacy and not market:
            obj["available_markets"] = MARKETS
        obj.update(
            show=self.show(episode.show),
            track=False,
            type="episode",
            uri=f"spotify:episode:{episode.id}",
        )
        return obj

    def item(self, item: Track | LocalTrack | Episode | None, market: bool = False) -> JSON | None:
        if item is None:
            return None
        if isinstance(item, Track):
            return self.track(item, market)
        if isinstance(item, LocalTrack):
            return self.local_track(item)
        return self.episode(item, market)

    # -- playlists --------------------------------------------------------------------------

    def entry_keys(self, endpoint: str) -> tuple[str, ...]:
        """Which key(s) hold an entry's track or episode, per mode and endpoint."""
        if self.dual_keys:
            return ("track", "item")  # like captured-2026/playlist_items.json
        if not self.legacy:
            return ("item",)
        # /items is a 2026 endpoint: extended-quota apps get both keys there.
        return ("track", "item") if endpoint == "items" else ("track",)

    def entry(self, entry: Entry, keys: tuple[str, ...], market: bool = False) -> JSON:
        obj: JSON = {
            "added_at": entry.added_at,
            "added_by": self.user(entry.added_by),
            "is_local": isinstance(entry.item, LocalTrack),
            "primary_color": None,
        }
        rendered = self.item(entry.item, market)
        for key in keys:
            obj[key] = rendered
        obj["video_thumbnail"] = {"url": None}
        return obj

    def entries_page(
        self,
        snap: PlaylistSnapshot,
        endpoint: str,
        offset: int,
        limit: int,
        *,
        market: bool = False,
        extra: dict[str, str] | None = None,
        max_limit: int | None = None,
    ) -> JSON:
        keys = self.entry_keys(endpoint)
        entries = snap.entries[offset : offset + limit]
        return self.page(
            f"playlists/{snap.id}/{endpoint}",
            [self.entry(e, keys, market) for e in entries],
            offset,
            limit,
            snap.total,
            extra=extra,
            max_limit=max_limit,
        )

    def page(
        self,
        path: str,
        items: list[Any],
        offset: int,
        limit: int,
        total: int,
        *,
        extra: dict[str, str] | None = None,
        max_limit: int | None = None,
    ) -> JSON:
        """A paging object; `next`/`previous` are absolute URLs of this server."""
        # A link must be followable: never ask an endpoint for more than it allows.
        link_limit = min(limit, max_limit) if max_limit else limit

        def url(at: int, size: int) -> str:
            return f"{self.api}/{path}?" + urlencode({"offset": at, "limit": size, **(extra or {})})

        next_url = url(offset + limit, link_limit) if offset + limit < total else None
        previous = url(max(0, offset - link_limit), link_limit) if offset > 0 else None
        return {
            "href": url(offset, limit),
            "items": items,
            "limit": limit,
            "next": next_url,
            "offset": offset,
            "previous": previous,
            "total": total,
        }

    def _playlist_head(self, snap: PlaylistSnapshot) -> JSON:
        playlist = snap.playlist
        if playlist.editorial:
            images = [
                {
                    "height": None,
                    "url": "https://charts-images.scdn.co/assets/locale_en/regional/daily/"
                    "region_global_default.jpg",
                    "width": None,
                }
            ]
        else:
            images = [
                {
                    "height": None,
                    "url": f"https://i.scdn.co/image/ab67616d00001e02{_image_hash(playlist.id)}",
                    "width": None,
                }
            ]
        return {
            "collaborative": playlist.collaborative,
            "description": playlist.description,
            "external_urls": {"spotify": f"https://open.spotify.com/playlist/{playlist.id}"},
            "followers": {"href": None, "total": playlist.followers},
            "href": f"{self.api}/playlists/{playlist.id}",
            "id": playlist.id,
            "images": images,
            "name": playlist.name,
            "owner": self.user(playlist.owner, owner=True),
            "primary_color": None,
            "public": playlist.public,
            "snapshot_id": snap.snapshot_id,
        }

    def playlist(
        self,
        snap: PlaylistSnapshot,
        *,
        include_items: bool = True,
        market: bool = False,
        extra: dict[str, str] | None = None,
    ) -> JSON:
        """The full playlist object with its first page of entries embedded.

        Legacy: under `tracks`. Current: under `items`, and only when the user
        may read the entries (owner or collaborator), as the 2026 spec says.
        """
        obj = self._playlist_head(snap)
        embedded = EMBEDDED_PAGE_LIMIT
        if self.legacy or self.dual_keys:
            obj["tracks"] = self.entries_page(
                snap, "tracks", 0, embedded, market=market, extra=extra
            )
        if (not self.legacy or self.dual_keys) and include_items:
            obj["items"] = self.entries_page(
                snap, "items", 0, embedded, market=market, extra=extra, max_limit=50
            )
        obj.update(type="playlist", uri=f"spotify:playlist:{snap.id}")
        return obj

    def simplified_playlist(self, snap: PlaylistSnapshot) -> JSON:
        obj = self._playlist_head(snap)
        del obj["followers"]
        ref = {"href": f"{self.api}/playlists/{snap.id}/tracks", "total": snap.total}
        if self.legacy or self.dual_keys:
            obj["tracks"] = ref
        if not self.legacy or self.dual_keys:
            obj["items"] = {"href": f"{self.api}/playlists/{snap.id}/items", "total": snap.total}
        obj.update(type="playlist", uri=f"spotify:playlist:{snap.id}")
        return obj
