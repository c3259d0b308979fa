"""manage.py import_pages <folder>: bring in HTML pages written elsewhere, sanitised."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.pages.importer import PageImportError, import_file


class Command(BaseCommand):
    help = (
        "Import *.html files (front matter: slug, title, seo_title, meta_description, "
        "canonical_url, noindex, published, publish_date) as CMS pages; updates by slug."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", type=Path)

    def handle(self, *args, folder: Path, **options) -> None:
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        failures: list[str] = []
        for path in sorted(folder.rglob("*.html")):
            try:
                outcome = import_file(path)
            except (PageImportError, OSError) as exc:
                failures.append(f"{path.relative_to(folder)}: {exc}")
                continue
            counts[outcome] += 1
            if options["verbosity"] > 1:
                self.stdout.write(f"{outcome}: {path.relative_to(folder)}")
        summary = ", ".join(f"{n} {what}" for what, n in counts.items())
        self.stdout.write(f"Imported pages: {summary}, {len(failures)} failed.")
        for failure in failures:
            self.stderr.write(f"  skipped {failure}")
        if failures:
            raise CommandError(f"{len(failures)} file(s) could not be imported.")
