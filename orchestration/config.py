"""Where things live: data directory, lake, warehouse, dbt project."""

import os
from dataclasses import dataclass
from pathlib import Path

from ingestion.duckdb_settings import dbt_memory_limit

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


@dataclass(frozen=True)
class Settings:
    """Resolved locations for one run. Nothing here is a secret."""

    data_dir: Path
    lake_url: str
    target: str = "dev"
    dbt_project_dir: Path = DEFAULT_DBT_PROJECT_DIR

    @classmethod
    def resolve(cls, data_dir: str | Path | None = None, target: str | None = None) -> "Settings":
        """Options first, then SPOTIFY_ELT_* environment variables, then defaults under ./data."""
        data = Path(data_dir or os.environ.get("SPOTIFY_ELT_DATA_DIR") or "data").resolve()
        lake = os.environ.get("SPOTIFY_ELT_LAKE_URL") or str(data / "lake")
        dbt_dir = Path(os.environ.get("SPOTIFY_ELT_DBT_PROJECT_DIR") or DEFAULT_DBT_PROJECT_DIR)
        return cls(
            data_dir=data,
            lake_url=lake,
            target=target or os.environ.get("SPOTIFY_ELT_TARGET") or "dev",
            dbt_project_dir=dbt_dir.resolve(),
        )

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
            "SPOTIFY_ELT_DBT_MEMORY_LIMIT": dbt_memory_limit(),
        }
