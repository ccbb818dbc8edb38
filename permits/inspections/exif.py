"""Where a photo was taken, from its EXIF GPS tags (Pillow): latitude and longitude in decimal degrees, or None.

A photo without GPS tags, with malformed ones or with a position off the globe answers None: the browser's
geolocation sent with the upload is then the photo's only position.
"""

from dataclasses import dataclass
from typing import IO, Any

from PIL import Image, UnidentifiedImageError
from PIL.ExifTags import GPS, IFD


@dataclass(frozen=True)
class GpsPosition:
    latitude: float
    longitude: float


def _degrees(value: Any) -> float:
    """(degrees, minutes, seconds) as rationals, or a single number, to decimal degrees."""
    if isinstance(value, tuple | list):
        parts = [float(part) for part in value] + [0.0, 0.0]
        return parts[0] + parts[1] / 60 + parts[2] / 3600
    return float(value)


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("ascii", "ignore")
    return str(value or "").strip("\x00 ").upper()


def gps_position(file: IO[bytes]) -> GpsPosition | None:
    """The EXIF GPS position of the image in `file` (read from its start), or None."""
    try:
        with Image.open(file) as image:
            gps = image.getexif().get_ifd(IFD.GPSInfo)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
    if GPS.GPSLatitude not in gps or GPS.GPSLongitude not in gps:
        return None
    try:
        latitude = _degrees(gps[GPS.GPSLatitude])
        longitude = _degrees(gps[GPS.GPSLongitude])
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if _text(gps.get(GPS.GPSLatitudeRef)) == "S":
        latitude = -latitude
    if _text(gps.get(GPS.GPSLongitudeRef)) == "W":
        longitude = -longitude
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return GpsPosition(latitude=round(latitude, 7), longitude=round(longitude, 7))
