"""How many real-world XLSForms parsurvey imports: point it at a folder of workbooks.

    .venv/bin/python bench/xlsform_corpus.py DIR [--show-failures]

For every .xlsx/.xls/.xlsm/.csv/.md file under DIR it asks pyxform (the reference converter) whether the
form converts into an XForm (``xls2xform.convert``; its first pass alone also passes forms it then refuses,
such as an ``include`` never included or a question without a label), then whether parsurvey's importer
(``survey_forms.form_from_xlsform``) takes it, and prints
the share imported of those pyxform converts, with the problems that stopped the others, most frequent
first. Public forms are not kept in this repository (see README, "XLSForm"): collect them in a folder of
your own, for example from the test fixtures of pyxform, KoboToolbox or osm-fieldwork.
"""

from __future__ import annotations

import argparse
import collections
import re
import sys
from pathlib import Path

from pyxform.xls2xform import convert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from survey_forms import FormDefinitionError, form_from_xlsform  # noqa: E402
from survey_forms.xlsform import FILE_TYPES  # noqa: E402


def problem_kind(message: str) -> str:
    """A short class of a problem, for counting: the quoted construct, without row numbers."""
    text = re.sub(r"(survey|choices|settings) sheet row \d+: ", "", message)
    text = re.sub(r"\(also rows [^)]*\)", "", text)
    return text[:90]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--show-failures", action="store_true", help="list every form that does not import")
    args = parser.parse_args()
    files = sorted(p for p in args.folder.rglob("*") if p.suffix.lower() in FILE_TYPES and p.is_file())
    converted, imported = 0, 0
    blockers: collections.Counter[str] = collections.Counter()
    failures = []
    for path in files:
        try:
            convert(xlsform=str(path), validate=False)
        except Exception:  # noqa: BLE001 - pyxform makes no XForm of it: not part of the measure
            continue
        converted += 1
        try:
            form_from_xlsform(path)
        except FormDefinitionError as exc:
            kinds = {problem_kind(e["message"]) for e in exc.errors}
            blockers.update(kinds)
            failures.append((path.name, sorted(kinds)[:3]))
            continue
        imported += 1
    share = imported / converted * 100 if converted else 0.0
    print(f"files: {len(files)}; pyxform converts: {converted}; parsurvey imports: {imported} ({share:.1f} %)")
    for kind, count in blockers.most_common(25):
        print(f"{count:5d}  {kind}")
    if args.show_failures:
        for name, kinds in failures:
            print(f"- {name}: {'; '.join(kinds)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
