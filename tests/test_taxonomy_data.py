"""topics.yaml and entities.yaml: validated at load, errors name the file and the entry."""

from __future__ import annotations

import shutil

import pytest
import yaml
from conftest import build_site
from news_digest.rules import PACKAGE_DATA_DIR, DataFileError, load_rules
from news_digest.slugs import slugify
from news_digest.taxonomy import ENTITY_TYPES

REQUIRED_TOPICS = {
    "defence", "diplomacy", "politics", "economy", "technology", "space",
    "health", "society", "environment", "law", "culture", "sport",
}  # fmt: skip


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(PACKAGE_DATA_DIR, target)
    return target


def edit_yaml(path, change):
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_shipped_taxonomy_is_complete_and_bilingual(rules):
    topics = {t.id: t for t in rules.topics.topics}
    assert REQUIRED_TOPICS <= set(topics)
    for t in topics.values():
        assert t.name and t.name_en and t.slug == slugify(t.slug)
    assert len({t.slug for t in topics.values()}) == len(topics)
    for t in REQUIRED_TOPICS:
        assert len(topics[t].keywords) >= 8, t


def test_shipped_gazetteer_has_required_aliases(rules):
    g = rules.entities
    assert {e.type for e in g.entities} == set(ENTITY_TYPES)
    owner = {k: v[0] for k, v in g.phrases.items() if v[1] == "strong"}
    for alias, entity_id in {
        "Mỹ": "united-states", "Hoa Kỳ": "united-states", "Nhật": "japan", "Nhật Bản": "japan",
        "Lầu Năm Góc": "pentagon", "Thủ tướng Kishida": "fumio-kishida", "Kishida Fumio": "fumio-kishida",
        "Fumio Kishida": "fumio-kishida", "AUKUS": "aukus", "NATO": "nato", "QUAD": "quad",
    }.items():  # fmt: skip
        assert owner[alias] == entity_id
    assert g.by_id["united-states"].name_en == "United States"


def test_malformed_topics_yaml_names_the_file(data_copy):
    (data_copy / "topics.yaml").write_text("topics:\n  - id: x\n    name: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataFileError) as err:
        load_rules(data_copy)
    assert "topics.yaml" in str(err.value) and "invalid YAML" in str(err.value)


def test_entity_missing_key_names_file_and_entry(data_copy):
    def drop(doc):
        entry = next(e for e in doc["entities"] if e["id"] == "japan")
        del entry["name_en"]

    edit_yaml(data_copy / "entities.yaml", drop)
    with pytest.raises(DataFileError) as err:
        load_rules(data_copy)
    message = str(err.value)
    assert "entities.yaml" in message and "(japan)" in message and "name_en" in message
    assert err.value.entry and "japan" in err.value.entry


def test_topic_missing_slug_names_entry(data_copy):
    edit_yaml(data_copy / "topics.yaml", lambda doc: doc["topics"][5].pop("slug"))
    with pytest.raises(DataFileError, match=r"topics\.yaml \[topics\[5\] \(space\)\].*slug"):
        load_rules(data_copy)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d["topics"][0].update(slug="Quốc phòng"), "not an ASCII slug"),
        (lambda d: d["topics"][1].update(slug="quoc-phong"), "duplicate"),
        (lambda d: d["topics"][0]["keywords"].update({"tên lửa": "nhiều"}), "number"),
        (lambda d: d["scoring"].update(fallback="nope"), "fallback"),
    ],
)
def test_bad_topic_entries(data_copy, change, message):
    edit_yaml(data_copy / "topics.yaml", change)
    with pytest.raises(DataFileError, match=message):
        load_rules(data_copy)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d["entities"][0].update(type="planet"), "type must be one of"),
        (lambda d: d["entities"][2].update(aliases=["Mỹ"]), "also names 'united-states'"),
        (lambda d: d["entities"][0].update(id="../etc"), "not an ASCII slug"),
        (lambda d: d["entities"][0].update(aliases="Mỹ"), "list of non-empty strings"),
        (lambda d: d["entities"][1].update(isolated=["Nhật Bản Quốc"]), "isolated"),
    ],
)
def test_bad_entity_entries(data_copy, change, message):
    edit_yaml(data_copy / "entities.yaml", change)
    with pytest.raises(DataFileError, match=message):
        load_rules(data_copy)


def test_missing_entities_file(data_copy):
    (data_copy / "entities.yaml").unlink()
    with pytest.raises(DataFileError, match="entities.yaml: file not found"):
        load_rules(data_copy)


def test_build_stops_before_writing_on_broken_data(data_copy, make_content, tmp_path):
    edit_yaml(data_copy / "entities.yaml", lambda d: d["entities"][2].pop("aliases"))
    content = make_content(seeds=["004_f1c2a3039ebafd8a"])
    out = tmp_path / "out"
    with pytest.raises(DataFileError, match=r"entities\.yaml.*aliases"):
        build_site(content, out, NEWS_DIGEST_DATA_DIR=str(data_copy))
    assert not out.exists() or not any(out.rglob("*.html"))
