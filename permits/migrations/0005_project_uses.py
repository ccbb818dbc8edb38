"""The catalogue's nomenclature of uses (`ProjectUse`), and the files' free-text uses mapped to its codes.

`Dossier.use` was typed by the applicant and published as typed. From now on it holds a code of this list (the
services refuse anything else); here the list is created as it shipped (`load_procedures` keeps it up to date from
permits/fixtures/procedures.yaml) and every existing value is mapped: a code, a label or a usual word in French,
English or Arabic gives its code, anything else `other` (an empty value stays empty: not declared yet). The audit
trail keeps the values as they were typed: a mapping is not a change by a person.
"""

import unicodedata
from typing import Any

from django.db import migrations, models

USES = (  # (code, French, Arabic, English): the list as it shipped
    ("residential", "Habitation", "سكني", "Residential"),
    ("commercial", "Commerce", "تجاري", "Commercial"),
    ("office", "Bureaux", "مكاتب", "Office"),
    ("industrial", "Industrie", "صناعي", "Industrial"),
    ("public_facility", "Équipement public", "مرفق عمومي", "Public facility"),
    ("mixed", "Mixte", "مختلط", "Mixed use"),
    ("hotel", "Hôtellerie", "فندقي", "Hotel"),
    ("restaurant", "Restauration", "مطعم", "Restaurant"),
    ("food", "Commerce alimentaire", "تجارة المواد الغذائية", "Food trade"),
    ("health", "Santé", "صحي", "Health"),
    ("education", "Enseignement", "تعليمي", "Education"),
    ("agricultural", "Agricole", "فلاحي", "Agricultural"),
    ("other", "Autre", "آخر", "Other"),
)
# Usual words for the uses besides their codes and labels (compared without case, accents or separators).
WORDS = {
    "residential": ("résidentiel", "habitat", "logement", "logements", "housing", "dwelling", "dwellings", "villa",
                    "appartements", "immeuble d'habitation", "سكن"),
    "commercial": ("commercial", "commerces", "shop", "shops", "retail", "magasin", "boutique", "تجارة"),
    "office": ("offices", "bureau", "administratif", "مكتب"),
    "industrial": ("industriel", "industry", "usine", "atelier", "warehouse", "entrepôt", "صناعة"),
    "public_facility": ("équipement", "equipment", "public", "service public", "مرفق"),
    "mixed": ("mixed", "mixte", "mixed-use", "habitation et commerce"),
    "hotel": ("hôtel", "hotels", "hospitality", "فندق"),
    "restaurant": ("restaurants", "café", "snack", "مقهى"),
    "food": ("alimentation", "alimentaire", "épicerie", "grocery"),
    "health": ("santé", "clinique", "clinic", "cabinet médical", "pharmacie", "صحة"),
    "education": ("école", "school", "éducation", "formation", "تعليم"),
    "agricultural": ("agriculture", "ferme", "farm", "فلاحة"),
    "other": ("autre", "autres"),
}
OTHER = "other"


def _key(text: str) -> str:
    """Lower case, no accents (Latin letters), separators as single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.replace("_", " ").replace("-", " ").split())


def _lookup() -> dict[str, str]:
    words: dict[str, str] = {}
    for code, *labels in USES:
        for word in (code, *labels, *WORDS.get(code, ())):
            words.setdefault(_key(word), code)
    return words


def uses_create_and_map(apps: Any, schema_editor: Any) -> None:
    ProjectUse = apps.get_model("permits", "ProjectUse")
    Dossier = apps.get_model("permits", "Dossier")
    database = schema_editor.connection.alias
    for order, (code, label_fr, label_ar, label_en) in enumerate(USES):
        ProjectUse.objects.using(database).get_or_create(
            code=code, defaults={"label_fr": label_fr, "label_ar": label_ar, "label_en": label_en, "order": order}
        )
    words = _lookup()
    typed = Dossier.objects.using(database).exclude(use="").values_list("use", flat=True).distinct()
    for value in list(typed):
        code = words.get(_key(value), OTHER)
        if code != value:
            Dossier.objects.using(database).filter(use=value).update(use=code)


class Migration(migrations.Migration):
    dependencies = [("permits", "0004_procedure_decided_by")]

    operations = [
        migrations.CreateModel(
            name="ProjectUse",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.SlugField(max_length=50, unique=True)),
                ("label_fr", models.CharField(max_length=200)),
                ("label_ar", models.CharField(blank=True, max_length=200)),
                ("label_en", models.CharField(blank=True, max_length=200)),
                ("order", models.PositiveSmallIntegerField(default=0)),
            ],
            options={"ordering": ["order", "code"]},
        ),
        # Forward only: the mapped codes cannot be turned back into what was typed (the audit trail has it).
        migrations.RunPython(uses_create_and_map, migrations.RunPython.noop),
    ]
