"""The HTTP reply of a tile, shared by the Django view and the cached-tile WSGI path (`tiles.wsgi`): status,
headers and body from the gzip bytes, the cache status and the client's `If-None-Match` / `Accept-Encoding`."""

import gzip
import hashlib
from dataclasses import dataclass

MVT_CONTENT_TYPE = "application/vnd.mapbox-vector-tile"
CORS = {"Access-Control-Allow-Origin": "*"}


@dataclass(frozen=True)
class TileReply:
    status: int
    headers: dict[str, str]
    body: bytes


def tile_reply(*, compressed: bytes, cache_status: str, if_none_match: str, accept_encoding: str) -> TileReply:
    """204 for an empty tile, 304 when the client holds this version, else the tile (gzip when accepted)."""
    headers = {**CORS, "X-Tile-Cache": cache_status, "Vary": "Accept-Encoding", "Cache-Control": "no-cache"}
    if not compressed:
        return TileReply(204, headers, b"")
    etag = '"' + hashlib.blake2b(compressed, digest_size=12).hexdigest() + '"'
    headers["ETag"] = etag
    if etag in if_none_match:
        return TileReply(304, headers, b"")
    headers["Content-Type"] = MVT_CONTENT_TYPE
    if "gzip" in accept_encoding.lower():
        headers["Content-Encoding"] = "gzip"
        return TileReply(200, headers, compressed)
    return TileReply(200, headers, gzip.decompress(compressed))
