"""One message, one translation: Django takes a message from the first catalogue that has it (the
project's, then the apps' in INSTALLED_APPS order), so two catalogues translating the same msgid
differently means what people read depends on the order of the apps. A msgid that means different
things in different places gets a context (`pgettext`) instead."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import polib

import maque

PACKAGE = Path(maque.__file__).resolve().parent
CATALOGUES = sorted(PACKAGE.rglob("locale/zh_Hans/LC_MESSAGES/django.po"))


def translations(entry: polib.POEntry) -> tuple[str, ...]:
    if entry.msgid_plural:
        return tuple(text for _index, text in sorted(entry.msgstr_plural.items()))
    return (entry.msgstr,)


def conflicts(
    paths: list[Path], root: Path = PACKAGE
) -> dict[tuple[str | None, str], dict[tuple[str, ...], list[str]]]:
    """(context, msgid) → {translation: [catalogues]} for every message translated more than one way."""
    found: dict[tuple[str | None, str], dict[tuple[str, ...], list[str]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for path in paths:
        where = str(path.relative_to(root).parts[0])
        for entry in polib.pofile(str(path)):
            texts = translations(entry)
            if entry.obsolete or not all(text.strip() for text in texts):
                continue
            found[(entry.msgctxt, entry.msgid)][texts].append(where)
    return {key: dict(ways) for key, ways in found.items() if len(ways) > 1}


def test_it_finds_the_apps_catalogues():
    apps = {path.relative_to(PACKAGE).parts[0] for path in CATALOGUES}
    assert {"organisation", "ledger", "workspace", "bulletins"} <= apps


def test_it_notices_a_message_translated_two_ways(tmp_path):
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    for app, village, closed in (("one", "村", "已结束"), ("two", "村（社区）", "已结束")):
        folder = tmp_path / app / "locale" / "zh_Hans" / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "django.po").write_text(
            header + f'msgid "village"\nmsgstr "{village}"\n\n'
            f'msgctxt "round"\nmsgid "closed"\nmsgstr "{closed}"\n\nmsgid "key"\nmsgstr ""\n',
            encoding="utf-8",
        )
    found = conflicts(sorted(tmp_path.rglob("django.po")), root=tmp_path)
    assert found == {(None, "village"): {("村",): ["one"], ("村（社区）",): ["two"]}}


def test_it_translates_each_message_one_way():
    found = conflicts(CATALOGUES)
    report = [
        f"{msgid!r}"
        + (f" (context {context!r})" if context else "")
        + ": "
        + "; ".join(f"{' / '.join(texts)} in {', '.join(apps)}" for texts, apps in ways.items())
        for (context, msgid), ways in sorted(
            found.items(), key=lambda pair: (pair[0][1], pair[0][0] or "")
        )
    ]
    assert not report, "translated more than one way:\n" + "\n".join(report)
