"""The tutorial's transform, for reference: what the Spotify-ETL-on-AWS Lambda functions do.

    uv run --no-project --with pandas python benchmarks/tutorial_pandas.py LAKE_DIR OUT_DIR

(pandas is not a dependency of the project; `python -m benchmarks` runs it like this.)

Written the way those functions are: loop over the raw files, build a dict per album,
artist and song of each playlist entry, make DataFrames, drop_duplicates, write CSV.
It reads the same lake files as the project (the entries: the tutorial's raw data are
the playlist-tracks responses) and prints its row counts.
"""

import json
import sys
from pathlib import Path

import pandas as pd


def album(data: dict) -> list[dict]:
    album_list = []
    for row in data["items"]:
        track = row.get("item") or row.get("track")
        if not track or track.get("type") != "track" or not track.get("id"):
            continue
        album_list.append(
            {
                "album_id": track["album"]["id"],
                "name": track["album"]["name"],
                "release_date": track["album"]["release_date"],
                "total_tracks": track["album"]["total_tracks"],
                "url": track["album"]["external_urls"].get("spotify"),
            }
        )
    return album_list


def artist(data: dict) -> list[dict]:
    artist_list = []
    for row in data["items"]:
        track = row.get("item") or row.get("track")
        if not track or track.get("type") != "track" or not track.get("id"):
            continue
        for key, value in track.items():
            if key == "artists":
                for artist in value:
                    artist_list.append(
                        {
                            "artist_id": artist["id"],
                            "artist_name": artist["name"],
                            "external_url": artist["href"],
                        }
                    )
    return artist_list


def songs(data: dict) -> list[dict]:
    song_list = []
    for row in data["items"]:
        track = row.get("item") or row.get("track")
        if not track or track.get("type") != "track" or not track.get("id"):
            continue
        song_list.append(
            {
                "song_id": track["id"],
                "song_name": track["name"],
                "duration_ms": track["duration_ms"],
                "url": track["external_urls"].get("spotify"),
                "popularity": track.get("popularity"),
                "song_added": row["added_at"],
                "album_id": track["album"]["id"],
                "artist_id": track["album"]["artists"][0]["id"],
            }
        )
    return song_list


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        print(pd.__version__)
        return
    lake, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    album_frames, artist_frames, song_frames = [], [], []
    for file in sorted((lake / "spotify" / "playlist_entries").glob("date=*/*.jsonl")):
        # One raw file = the entries of one day's responses.
        data = {"items": [json.loads(line)["payload"] for line in file.open("rb")]}
        album_frames.append(pd.DataFrame(album(data)))
        artist_frames.append(pd.DataFrame(artist(data)))
        song_frames.append(pd.DataFrame(songs(data)))
    album_df = pd.concat(album_frames).drop_duplicates(subset=["album_id"])
    artist_df = pd.concat(artist_frames).drop_duplicates(subset=["artist_id"])
    song_df = pd.concat(song_frames).drop_duplicates(subset=["song_id"])
    album_df["release_date"] = pd.to_datetime(album_df["release_date"], errors="coerce")
    song_df["song_added"] = pd.to_datetime(song_df["song_added"])
    album_df.to_csv(out / "album_transformed.csv", index=False)
    artist_df.to_csv(out / "artist_transformed.csv", index=False)
    song_df.to_csv(out / "songs_transformed.csv", index=False)
    print(json.dumps({"albums": len(album_df), "artists": len(artist_df), "songs": len(song_df)}))


if __name__ == "__main__":
    main()
