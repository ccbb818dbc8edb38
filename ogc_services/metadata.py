"""Human metadata of the geoportal layers: titles, descriptions and keywords in French and English.

The layers themselves come from the database catalogue; this table only names them. A view that is added to the
`geoportal` schema without an entry here is still published, under its own name.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LayerMetadata:
    title: dict[str, str]
    description: dict[str, str]
    keywords: dict[str, list[str]]
    time_column: str | None = None
    title_column: str | None = None


LAYERS: dict[str, LayerMetadata] = {
    "authorised_projects": LayerMetadata(
        title={"fr": "Projets autorisés", "en": "Authorised projects"},
        description={
            "fr": "Projets dont l'autorisation a été publiée : référence, procédure, date de décision, usage, "
            "hauteur, niveaux, surface de plancher, emprise et commune. Aucune donnée personnelle.",
            "en": "Projects whose authorisation has been published: reference, procedure, decision date, use, "
            "height, floors, floor area, footprint and commune. No personal data.",
        },
        keywords={"fr": ["autorisation", "permis de construire", "urbanisme"], "en": ["permit", "planning"]},
        time_column="decision_date",
        title_column="reference",
    ),
    "parcels": LayerMetadata(
        title={"fr": "Parcelles", "en": "Parcels"},
        description={
            "fr": "Parcelles cadastrales (attributs publics : référence, titre foncier, surfaces, commune).",
            "en": "Cadastral parcels (public attributes: reference, land title, areas, commune).",
        },
        keywords={"fr": ["cadastre", "parcelle"], "en": ["cadastre", "parcel"]},
        title_column="reference",
    ),
    "zones": LayerMetadata(
        title={"fr": "Zonage", "en": "Zoning"},
        description={
            "fr": "Zones des plans d'aménagement en vigueur et leurs règles (hauteur, niveaux, CES, COS, reculs, "
            "usages).",
            "en": "Zones of the zoning plans in force and their rules (height, floors, coverage, floor-area ratio, "
            "setbacks, uses).",
        },
        keywords={"fr": ["zonage", "plan d'aménagement"], "en": ["zoning", "land use plan"]},
        title_column="code",
    ),
    "overlays": LayerMetadata(
        title={"fr": "Servitudes", "en": "Overlays and servitudes"},
        description={
            "fr": "Servitudes et périmètres (patrimoine, inondation, aéroport, voirie, réseaux) avec l'organisme à "
            "consulter.",
            "en": "Overlays and servitudes (heritage, flood, airport, road, utility) with the agency to consult.",
        },
        keywords={"fr": ["servitude", "patrimoine", "risque"], "en": ["servitude", "heritage", "hazard"]},
        title_column="name",
    ),
    "territories": LayerMetadata(
        title={"fr": "Territoires", "en": "Territories"},
        description={
            "fr": "Découpage territorial : régions, provinces ou préfectures, communes ou arrondissements.",
            "en": "Administrative units: regions, provinces or prefectures, communes or districts.",
        },
        keywords={"fr": ["commune", "région", "province"], "en": ["municipality", "region", "province"]},
        title_column="name_fr",
    ),
}


def layer_metadata(name: str) -> LayerMetadata:
    """The metadata of a layer, or a plain default for a view that has no entry yet."""
    label = name.replace("_", " ").capitalize()
    return LAYERS.get(
        name,
        LayerMetadata(title={"fr": label, "en": label}, description={"fr": label, "en": label}, keywords={}),
    )
