"""The settings of the WMS/WMTS face, read once per call from Django settings (`config.settings` holds their
defaults).

`WMS_DIR` holds everything generated (mapfile, MapServer config, MapProxy YAML, tile cache, prepared rasters);
MapServer reads PostGIS through the read-only `geoportal` database alias (role `geoportal_reader`) of the
database Django is connected to, so a test run renders its own test database.
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections

# Advertised in WMS capabilities and accepted by MapServer: WGS84, Web Mercator, Morocco's Lambert zones.
SRS_CODES: tuple[int, ...] = (4326, 3857, 26191, 26192, 26193, 26194, 26195)


@dataclass(frozen=True)
class DatabaseTarget:
    host: str
    port: str
    name: str
    user: str
    password: str

    def mapserver_connection(self) -> str:
        """A libpq key=value string (values quoted for libpq; the caller quotes it for the mapfile)."""
        parts = {"host": self.host, "port": self.port, "dbname": self.name, "user": self.user}
        if self.password:
            parts["password"] = self.password
        return " ".join(f"{key}='{_libpq_escape(value)}'" for key, value in parts.items() if value)


@dataclass(frozen=True)
class WmsSettings:
    directory: Path
    cache_directory: Path
    raster_directory: Path
    mapserv_binary: Path
    database: DatabaseTarget
    title: str
    demo: bool
    cache_max_age: int  # seconds after which a cached tile is rendered again (0: never)
    wfs_max_features: int  # the most features of one WFS GetFeature

    @property
    def wfs_mapfile(self) -> Path:
        return self.directory / "geoportal_wfs.map"

    @property
    def mapfile(self) -> Path:
        return self.directory / "geoportal.map"

    @property
    def mapserver_config(self) -> Path:
        return self.directory / "mapserver.conf"

    @property
    def mapproxy_config(self) -> Path:
        return self.directory / "mapproxy.yaml"

    @property
    def rasters(self) -> dict[str, Path]:
        """Prepared COGs (`manage.py raster_prepare`) are raster layers, named by their file stem."""
        if not self.raster_directory.is_dir():
            return {}
        return {path.stem: path.resolve() for path in sorted(self.raster_directory.glob("*.tif"))}


def wms_settings() -> WmsSettings:
    directory = Path(settings.WMS_DIR).resolve()
    # The read-only `geoportal` alias (role geoportal_reader); its NAME is the test database's under pytest.
    alias = settings.WMS_DATABASE_ALIAS
    database = connections[alias if alias in settings.DATABASES else "default"].settings_dict
    target = DatabaseTarget(
        host=str(database.get("HOST") or "127.0.0.1"),
        port=str(database.get("PORT") or "5432"),
        name=str(database["NAME"]),
        user=str(database.get("USER") or "geoportal_reader"),
        password=str(database.get("PASSWORD") or ""),
    )
    return WmsSettings(
        directory=directory,
        cache_directory=Path(settings.WMS_CACHE_DIR).resolve(),
        raster_directory=Path(settings.WMS_RASTER_DIR).resolve(),
        mapserv_binary=Path(settings.WMS_MAPSERV_BINARY),
        database=target,
        title=settings.WMS_TITLE,
        demo=settings.WMS_DEMO,
        cache_max_age=settings.WMS_CACHE_MAX_AGE_SECONDS,
        wfs_max_features=settings.WFS_MAX_FEATURES,
    )


def _libpq_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")
