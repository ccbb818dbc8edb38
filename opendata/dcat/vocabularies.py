"""The controlled vocabularies the catalogue speaks (the EU Publications Office's authority tables and IANA's media
types): their URIs, and the labels of the few concepts we use, in the portal's languages (the pages show them too).
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

AUTHORITY = "http://publications.europa.eu/resource/authority/"
THEME_SCHEME = f"{AUTHORITY}data-theme"
FREQUENCY_SCHEME = f"{AUTHORITY}frequency"
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
LANGUAGE_SCHEME = f"{AUTHORITY}language"
FILE_TYPE_SCHEME = f"{AUTHORITY}file-type"
AVAILABILITY_STABLE = f"{AUTHORITY}planned-availability/STABLE"  # our download URLs do not change
AVAILABILITY_SCHEME = f"{AUTHORITY}planned-availability"
PUBLISHER_TYPE_LOCAL_AUTHORITY = "http://purl.org/adms/publishertype/LocalAuthority"
PUBLISHER_TYPE_SCHEME = "http://purl.org/adms/publishertype/1.0"
LICENCE_TYPE_ATTRIBUTION = "http://purl.org/adms/licencetype/Attribution"  # Licence Ouverte: reuse with attribution
LICENCE_TYPE_SCHEME = "http://purl.org/adms/licencetype/1.0"

# The labels of the EU data themes and frequencies the registry uses, by URI
THEMES: dict[str, Promise] = {
    f"{THEME_SCHEME}/GOVE": _("Government and public sector"),
    f"{THEME_SCHEME}/REGI": _("Regions and cities"),
}
FREQUENCIES: dict[str, Promise] = {
    f"{FREQUENCY_SCHEME}/DAILY": _("Daily"),
}
# The portal's languages, as codes of the EU language table
LANGUAGES = {"fr": "FRA", "ar": "ARA", "en": "ENG"}
# Our download extensions, as codes of the EU file type table (FlatGeobuf has none yet: its media type says it)
FILE_TYPES = {"geojson": "GEOJSON", "csv": "CSV", "json": "JSON", "gpkg": "GPKG", "parquet": "PARQUET"}


def language_uri(language: str) -> str:
    return f"{LANGUAGE_SCHEME}/{LANGUAGES[language]}"


def file_type_uri(extension: str) -> str | None:
    code = FILE_TYPES.get(extension)
    return f"{FILE_TYPE_SCHEME}/{code}" if code else None


def media_type_uri(media_type: str) -> str:
    """IANA's page of a media type, its parameters dropped (`text/csv; charset=utf-8` is `text/csv`)."""
    return MEDIA_TYPES + media_type.split(";", 1)[0].strip()
