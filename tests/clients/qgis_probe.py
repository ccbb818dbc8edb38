"""Load our feeds in QGIS, headless, and print what QGIS saw as one JSON document.

Run by Debian's /usr/bin/python3 (QGIS's bindings live in the system Python, not in the project's virtualenv)
with QT_QPA_PLATFORM=offscreen and a throwaway HOME; tests/clients/test_qgis.py runs it against a live server.
The argument is a JSON object:
- `ogc`: the OGC API Features landing page, `collections`: the collections to load as OAPIF layers;
- `wms`: the WMS endpoint, `wmts`: the WMTS capabilities URL and `wmts_matrix_set`, `raster_layers`: the layers
  to load from both;
- `tiles`: the vector tiles' XYZ URL template, `vector_layer` and `vector_zooms`: the tile layer and its zooms,
  drawn in the marker colour only where the `filter` expression (on the tiles' attributes) is true;
- `area`: [west, south, east, north] in lon/lat, the extent to read and draw; `regions`: named lon/lat boxes in
  which the drawn pixels are counted.
Each layer reports `valid` and QGIS's own `error`; everything QGIS logged is in `log`.
"""

import json
import sys
from array import array
from collections import Counter
from typing import Any

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeatureRequest,
    QgsFillSymbol,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsPointXY,
    QgsProject,
    QgsRasterLayer,
    QgsRectangle,
    QgsVectorLayer,
    QgsVectorTileBasicRenderer,
    QgsVectorTileBasicRendererStyle,
    QgsVectorTileLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QSize, Qt
from qgis.PyQt.QtGui import QColor, QImage

WEB_MERCATOR = QgsCoordinateReferenceSystem("EPSG:3857")
WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
MARKER = QColor(255, 0, 255)  # the fill of the vector tile features the filter selects
PIXEL_METRES = 2.0  # about zoom 16, the parcels' detail zoom


def error_text(layer: Any) -> str:
    return layer.error().summary() if layer.error().messageList() else ""


def plain(value: Any) -> Any:
    """An attribute value as JSON: dates in ISO 8601, NULL as null."""
    if hasattr(value, "isNull") and value.isNull():
        return None
    if hasattr(value, "toString"):
        return value.toString(Qt.ISODate)
    return value


def oapif(ogc: str, collection: str, area: list[float]) -> dict[str, Any]:
    layer = QgsVectorLayer(f"url='{ogc}' typename='{collection}'", collection, "OAPIF")
    report: dict[str, Any] = {"valid": layer.isValid(), "error": error_text(layer)}
    if not layer.isValid():
        return report
    features = list(layer.getFeatures())
    names = layer.fields().names()
    inside = QgsRectangle(*area)
    boxes = [feature.geometry().boundingBox() for feature in features if feature.hasGeometry()]
    # A spatial filter, sent to the server as bbox=: the western half of the area.
    west = QgsRectangle(area[0], area[1], (area[0] + area[2]) / 2, area[3])
    report.update(
        crs=layer.crs().authid(),
        geometry=QgsWkbTypes.displayString(layer.wkbType()),
        fields=names,
        features=[{name: plain(value) for name, value in zip(names, f.attributes(), strict=True)} for f in features],
        with_geometry=len(boxes),
        inside_area=sum(inside.contains(box) for box in boxes),
        touching_area=sum(inside.intersects(box) for box in boxes),
        in_western_half=sum(1 for _ in layer.getFeatures(QgsFeatureRequest().setFilterRect(west))),
    )
    return report


def pixel_counts(image: QImage, regions: dict[str, QgsRectangle]) -> dict[str, Any]:
    """Drawn (non-transparent) pixels, their colours and marker pixels, in the image and in each region."""
    image = image.convertToFormat(QImage.Format_RGBA8888)
    bits = image.constBits()
    bits.setsize(image.sizeInBytes())
    pixels = array("I", bytes(bits))  # one 32-bit word per pixel (each row is 4 * width bytes)
    width, height = image.width(), image.height()
    marker = int.from_bytes(bytes([MARKER.red(), MARKER.green(), MARKER.blue(), 255]), sys.byteorder)
    alpha_shift = 24 if sys.byteorder == "little" else 0

    def count(x0: int, y0: int, x1: int, y1: int) -> Counter:
        colours: Counter = Counter()
        for row in range(max(y0, 0), min(y1, height)):
            colours.update(pixels[row * width + max(x0, 0) : row * width + min(x1, width)])
        return colours

    def drawn(colours: Counter) -> dict[str, int]:
        opaque = {colour: n for colour, n in colours.items() if (colour >> alpha_shift) & 0xFF}
        return {"drawn": sum(opaque.values()), "colours": len(opaque), "marker": colours.get(marker, 0)}

    report: dict[str, Any] = {"size": [width, height], **drawn(count(0, 0, width, height))}
    report["regions"] = {
        name: drawn(count(int(box.xMinimum()), int(box.yMinimum()), int(box.xMaximum()) + 1, int(box.yMaximum()) + 1))
        for name, box in regions.items()
    }
    return report


def render(layer: Any, area: list[float], regions: dict[str, list[float]]) -> dict[str, Any]:
    """Draw the layer over the area in Web Mercator on a transparent image: what was drawn where, and errors."""
    to_mercator = QgsCoordinateTransform(WGS84, WEB_MERCATOR, QgsProject.instance())
    extent = to_mercator.transformBoundingBox(QgsRectangle(*area))
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(WEB_MERCATOR)
    settings.setOutputSize(QSize(round(extent.width() / PIXEL_METRES), round(extent.height() / PIXEL_METRES)))
    settings.setExtent(extent)
    settings.setBackgroundColor(QColor(0, 0, 0, 0))
    settings.setFlag(QgsMapSettings.Antialiasing, False)  # edges in the layer's own colours
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()

    def on_image(box: list[float]) -> QgsRectangle:
        corners = [
            settings.mapToPixel().transform(to_mercator.transform(QgsPointXY(x, y)))
            for x, y in ((box[0], box[3]), (box[2], box[1]))
        ]
        return QgsRectangle(corners[0].x(), corners[0].y(), corners[1].x(), corners[1].y())

    report = pixel_counts(job.renderedImage(), {name: on_image(box) for name, box in regions.items()})
    report["errors"] = [f"{error.layerID}: {error.message}" for error in job.errors()]
    return report


def raster(uri: str, name: str, area: list[float], regions: dict[str, list[float]]) -> dict[str, Any]:
    layer = QgsRasterLayer(uri, name, "wms")
    report: dict[str, Any] = {"valid": layer.isValid(), "error": error_text(layer)}
    if layer.isValid():
        report.update(crs=layer.crs().authid(), render=render(layer, area, regions))
    return report


def vector_tiles(config: dict[str, Any]) -> dict[str, Any]:
    name, (zmin, zmax) = config["vector_layer"], config["vector_zooms"]
    layer = QgsVectorTileLayer(f"type=xyz&url={config['tiles']}&zmin={zmin}&zmax={zmax}", name)
    report: dict[str, Any] = {"valid": layer.isValid(), "error": error_text(layer)}
    if not layer.isValid():
        return report
    style = QgsVectorTileBasicRendererStyle(name, name, QgsWkbTypes.PolygonGeometry)
    style.setSymbol(QgsFillSymbol.createSimple({"color": MARKER.name(), "outline_style": "no"}))
    style.setFilterExpression(config["filter"])
    renderer = QgsVectorTileBasicRenderer()
    renderer.setStyles([style])
    layer.setRenderer(renderer)
    report.update(
        crs=layer.crs().authid(),
        zooms=[layer.sourceMinZoom(), layer.sourceMaxZoom()],
        render=render(layer, config["area"], config["regions"]),
    )
    return report


def probe(config: dict[str, Any]) -> dict[str, Any]:
    area, regions = config["area"], config["regions"]
    findings: dict[str, Any] = {"qgis": Qgis.QGIS_VERSION, "oapif": {}, "wms": {}, "wmts": {}}
    for collection in config["collections"]:
        findings["oapif"][collection] = oapif(config["ogc"], collection, area)
    for name in config["raster_layers"]:
        wms = f"crs=EPSG:3857&format=image/png&layers={name}&styles=&url={config['wms']}"
        findings["wms"][name] = raster(wms, name, area, regions)
        wmts = (
            f"crs=EPSG:3857&format=image/png&layers={name}&styles=default"
            f"&tileMatrixSet={config['wmts_matrix_set']}&url={config['wmts']}"
        )
        findings["wmts"][name] = raster(wmts, name, area, regions)
    findings["vector_tiles"] = vector_tiles(config)
    return findings


def main() -> None:
    QgsApplication.setPrefixPath("/usr", True)
    application = QgsApplication([], False)
    application.initQgis()
    log: list[str] = []
    QgsApplication.messageLog().messageReceived.connect(lambda message, tag, level: log.append(f"{tag}: {message}"))
    findings = probe(json.loads(sys.argv[1]))
    print(json.dumps({**findings, "log": log}))
    application.exitQgis()


if __name__ == "__main__":
    main()
