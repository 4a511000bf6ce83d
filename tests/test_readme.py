"""The README's promises that code can check."""

import re
from pathlib import Path

from modeltranslation.translator import translator

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_it_lists_exactly_the_translated_fields():
    listed = {}
    for name, fields in re.findall(r"^\| (\w+) \| ([a-z_, ]+?)(?: \(.*\))? \|$", README, re.M):
        if name != "model":  # the header row
            listed[name] = {field.strip() for field in fields.split(",")}
    registered = {
        model.__name__: set(translator.get_options_for_model(model).fields)
        for model in translator.get_registered_models(abstract=False)
    }
    assert listed == registered


def test_it_names_every_setting_read_from_the_environment():
    settings_text = (
        Path(__file__).resolve().parent.parent / "awareness" / "settings.py"
    ).read_text()
    names = set(
        re.findall(r"""(?:env_\w+|os\.environ\.get)\(\s*["']([A-Z_]+)["']""", settings_text)
    )
    missing = sorted(name for name in names if f"`{name}`" not in README)
    assert missing == []
