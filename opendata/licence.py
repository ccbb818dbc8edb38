"""The licence every open dataset is published under (its name and its text's address)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Licence:
    name: str
    url: str


LICENCE = Licence(
    name="Licence Ouverte 2.0 (etalab-2.0)", url="https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
)
