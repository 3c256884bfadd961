"""Resources: where the pipeline's data lives, and dbt, both built from one `Settings`.

`Settings` (orchestration/config.py) stays the single source of truth: the CLI
resolves it per command, the Dagster definitions resolve it once when they load
and hand the same values to every resource below.
"""

import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource, DbtProject
from dagster_dbt.dbt_project import using_dagster_dev
from pydantic import Field

from orchestration.config import Settings
from orchestration.steps import temporary_environment

logger = logging.getLogger(__name__)


class SpotifyEltResource(ConfigurableResource):
    """The run's `Settings` (data dir, lake, target) and how to reach Spotify."""

    data_dir: str
    lake_url: str
    target: str = "dev"
    dbt_project_dir: str
    dbt_profiles_dir: str | None = None
    demo: bool = Field(
        default=False,
        description="Use the local API replica even when Spotify credentials are configured.",
    )
    playlists: list[str] | None = Field(
        default=None,
        description="Playlist URLs, URIs or ids; by default the configured ones (or the demo's).",
    )

    @classmethod
    def from_settings(
        cls, settings: Settings, demo: bool = False, playlists: list[str] | None = None
    ) -> "SpotifyEltResource":
        return cls(
            data_dir=str(settings.data_dir),
            lake_url=settings.lake_url,
            target=settings.target,
            dbt_project_dir=str(settings.dbt_project_dir),
            dbt_profiles_dir=str(settings.dbt_profiles_dir) if settings.dbt_profiles_dir else None,
            demo=demo,
            playlists=playlists,
        )

    @property
    def settings(self) -> Settings:
        return Settings(
            data_dir=Path(self.data_dir),
            lake_url=self.lake_url,
            target=self.target,
            dbt_project_dir=Path(self.dbt_project_dir),
            dbt_profiles_dir=Path(self.dbt_profiles_dir) if self.dbt_profiles_dir else None,
        )


def _dbt_executable() -> str:
    # The dbt next to this interpreter: the virtualenv's bin/ need not be on PATH.
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else "dbt"


class SpotifyDbtCliResource(DbtCliResource):
    """dagster-dbt's `DbtCliResource`, run with the environment the profiles read.

    `DbtCliResource` copies `os.environ` when it starts dbt, and has no other
    way to pass variables, so `cli` sets `Settings.dbt_env()` around that moment.
    """

    env: dict[str, str] = Field(
        default_factory=dict,
        description="Variables dbt's profiles.yml reads through env_var().",
    )

    @classmethod
    def from_settings(
        cls, settings: Settings, project: DbtProject | None = None
    ) -> "SpotifyDbtCliResource":
        return cls(
            project_dir=project or settings.dbt_project_dir,
            profiles_dir=str(settings.profiles_dir),
            target=settings.target,
            dbt_executable=_dbt_executable(),
            env=settings.dbt_env(),
        )

    def cli(self, args: Sequence[str], **kwargs: Any) -> Any:
        with temporary_environment(self.env):
            return super().cli(args, **kwargs)


def manifest_dir(settings: Settings) -> Path:
    """Where the definitions keep the manifest they are built from (not dbt's run target)."""
    return settings.data_dir / "dbt" / "manifest"


def dbt_project(settings: Settings) -> DbtProject:
    """The dbt project, with a manifest: `dbt parse` when it is missing or under `dagster dev`.

    dagster-dbt's `prepare_if_dev()` does the same under `dagster dev` only, and
    calls `dbt` from PATH; this one also covers a first load anywhere else (the
    tests, a deployed daemon) and uses the virtualenv's dbt.
    """
    project = DbtProject(
        project_dir=settings.dbt_project_dir,
        target_path=manifest_dir(settings),
        profiles_dir=settings.profiles_dir,
        target=settings.target,
    )
    if using_dagster_dev() or not project.manifest_path.exists():
        logger.info("dbt parse → %s", project.manifest_path)
        SpotifyDbtCliResource.from_settings(settings, project).cli(
            ["parse", "--quiet"], target_path=manifest_dir(settings)
        ).wait()
    return project
