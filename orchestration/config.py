"""Where things live: the project home, its `.dlt` configuration, data, lake, warehouse, dbt.

Every path comes from the configuration, never from the directory a command happens
to be started in, so `spotify-elt` run from cron, from `dbt_project/` or from /tmp
does the same thing:

- the **home** is `SPOTIFY_ELT_HOME` if set; else the source checkout this code runs
  from (an editable install, `make run`); else, for an installed wheel, the current
  directory (run it from your project folder, or set SPOTIFY_ELT_HOME);
- dlt reads `<home>/.dlt/config.toml` and `secrets.toml` (DLT_PROJECT_DIR = home);
- data (lake, warehouse, dlt state, dbt output) goes to `<home>/data` unless
  `--data-dir` / SPOTIFY_ELT_DATA_DIR say otherwise;
- the dbt project is `<home>/dbt_project` in a checkout, or the copy packaged in the
  wheel; SPOTIFY_ELT_DBT_PROJECT_DIR overrides it.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path

from ingestion.warehouse.duckdb_settings import memory_limit

PACKAGE_DIR = Path(__file__).resolve().parent
# The source checkout, when this code runs from one (editable install).
CHECKOUT_ROOT = PACKAGE_DIR.parent
# The wheel carries the dbt project inside this package (pyproject.toml, force-include).
PACKAGED_DBT_PROJECT_DIR = PACKAGE_DIR / "dbt_project"


def _is_checkout(path: Path) -> bool:
    return (path / "pyproject.toml").is_file() and (path / "dbt_project").is_dir()


def project_home() -> Path:
    """The folder holding `.dlt/` and, by default, `data/` (see the module's docstring)."""
    if home := os.environ.get("SPOTIFY_ELT_HOME"):
        return Path(home).expanduser().resolve()
    if _is_checkout(CHECKOUT_ROOT):
        return CHECKOUT_ROOT
    return Path.cwd().resolve()


def default_dbt_project_dir(home: Path) -> Path:
    if override := os.environ.get("SPOTIFY_ELT_DBT_PROJECT_DIR"):
        return Path(override).expanduser().resolve()
    if _is_checkout(home):
        return home / "dbt_project"
    if _is_checkout(CHECKOUT_ROOT):
        return CHECKOUT_ROOT / "dbt_project"
    return PACKAGED_DBT_PROJECT_DIR


def use_project_configuration(home: Path | None = None) -> Path:
    """Point dlt at `<home>/.dlt` before it first reads its configuration."""
    home = home or project_home()
    os.environ["DLT_PROJECT_DIR"] = str(home)
    return home


def _check_lake_url(url: str) -> None:
    """A lake URL whose scheme no file system knows fails here, in words, before any work."""
    import fsspec
    from dlt.common.storages.configuration import FilesystemConfiguration

    from ingestion.errors import ConfigurationError

    protocol = FilesystemConfiguration.parse_protocol(url)
    known = set(fsspec.available_protocols()) | set(FilesystemConfiguration.PROTOCOL_CREDENTIALS)
    if protocol not in known:
        raise ConfigurationError(
            f"The lake URL {url!r} (SPOTIFY_ELT_LAKE_URL) has the unknown scheme "
            f"'{protocol}': use a local folder, s3://bucket/path, gs://…, az://… or "
            "another file system that fsspec knows."
        )


def _check_folder(variable: str, holds: str) -> None:
    """A folder given by `variable` must exist and hold `holds`; else one sentence."""
    from ingestion.errors import ConfigurationError

    value = os.environ.get(variable)
    if value and not (Path(value).expanduser() / holds).is_file():
        raise ConfigurationError(
            f"{variable} is {value}, which holds no {holds}: point it at the folder that "
            "does, or unset it to use the project's own."
        )


@dataclass(frozen=True)
class Settings:
    """Resolved locations for one run. Nothing here is a secret."""

    data_dir: Path
    lake_url: str
    target: str = "dev"
    dbt_project_dir: Path = field(default_factory=lambda: default_dbt_project_dir(project_home()))
    dbt_profiles_dir: Path | None = None

    @classmethod
    def resolve(cls, data_dir: str | Path | None = None, target: str | None = None) -> "Settings":
        """Options first, then SPOTIFY_ELT_* environment variables, then the project home."""
        home = project_home()
        data = Path(data_dir or os.environ.get("SPOTIFY_ELT_DATA_DIR") or home / "data")
        data = data.expanduser().resolve()
        lake = os.environ.get("SPOTIFY_ELT_LAKE_URL") or str(data / "lake")
        _check_lake_url(lake)
        dbt_dir = default_dbt_project_dir(home)
        profiles = os.environ.get("SPOTIFY_ELT_DBT_PROFILES_DIR")
        _check_folder("SPOTIFY_ELT_DBT_PROJECT_DIR", "dbt_project.yml")
        _check_folder("SPOTIFY_ELT_DBT_PROFILES_DIR", "profiles.yml")
        return cls(
            data_dir=data,
            lake_url=lake,
            target=target or os.environ.get("SPOTIFY_ELT_TARGET") or "dev",
            dbt_project_dir=dbt_dir,
            dbt_profiles_dir=Path(profiles).expanduser().resolve() if profiles else None,
        )

    @property
    def profiles_dir(self) -> Path:
        """dbt's profiles.yml: the project's own, unless a test or deployment gives another."""
        return self.dbt_profiles_dir or self.dbt_project_dir

    @property
    def duckdb_path(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @property
    def pipelines_dir(self) -> Path:
        """dlt's working folders (state, schemas): `dlt pipeline --pipelines-dir` reads them."""
        return self.data_dir / "pipelines"

    @property
    def dbt_target_dir(self) -> Path:
        return self.data_dir / "dbt" / "target"

    @property
    def dbt_log_dir(self) -> Path:
        return self.data_dir / "dbt" / "logs"

    @property
    def docs_path(self) -> Path:
        """The dbt docs site as one self-contained page."""
        return self.dbt_target_dir / "static_index.html"

    def dbt_env(self) -> dict[str, str]:
        """Environment the dbt profiles read through env_var()."""
        return {
            "SPOTIFY_ELT_DUCKDB_PATH": str(self.duckdb_path),
            "SPOTIFY_ELT_DBT_MEMORY_LIMIT": memory_limit(),
        }
