"""Fixtures of the real-client tests: the OGC tests' committed geoportal, and a private WMS directory."""

from tests.ogc import conftest as ogc
from tests.wms import conftest as wms

geoportal = ogc.geoportal
ogc_fresh = ogc.ogc_fresh
wms_directory = wms.wms_directory
