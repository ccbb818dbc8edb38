"""`manage.py tiles_invalidate [layer ...]`: rebuild the pieces and forget the cached tiles of the given layers
(all layers when none is named). Imports do it themselves (`tiles.subscribers`); this is for manual use, e.g.
after data was written outside the import pipeline."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tiles.layers import LAYERS
from tiles.services import tiles_invalidate_layer


class Command(BaseCommand):
    help = "Rebuild the tile pieces and forget the cached tiles of layers (e.g. after data was written by hand)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("layers", nargs="*", help=f"layers among {', '.join(LAYERS)} (default: all)")
        parser.add_argument("--keep-pieces", action="store_true", help="forget cached tiles only")

    def handle(self, *args: Any, **options: Any) -> None:
        names: list[str] = options["layers"] or list(LAYERS)
        unknown = sorted(set(names) - set(LAYERS))
        if unknown:
            raise CommandError(f"unknown layer(s): {', '.join(unknown)}; the layers are: {', '.join(LAYERS)}")
        for name in names:
            generation = tiles_invalidate_layer(layer=LAYERS[name], rebuild_pieces=not options["keep_pieces"])
            self.stdout.write(f"{name}: cached tiles forgotten (generation {generation})")
