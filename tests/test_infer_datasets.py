"""Image folders, manifests (the seed paper's JSONL included) and saved HF datasets, mapped to a class list."""
from __future__ import annotations

import json

import pytest

from freqscope.errors import FreqscopeError
from freqscope.infer.datasets import load_image_dataset
from freqscope.terms.taxonomy import ClassEntry, ClassList, Term
from conftest import SHARED_CLASSES, require_shared
from tests.infer_helpers import toy_class_list

pytest.importorskip("PIL")
from freqscope.infer.synthetic import write_image_folder  # noqa: E402


def test_image_folder_by_name_wnid_and_index(tmp_path):
    root = write_image_folder(tmp_path / "imgs", ["Golden_Retriever", "n00000001", "goldfish", "3"], 2)
    dataset = load_image_dataset(root, toy_class_list())
    assert dataset.kind == "folder" and len(dataset.items) == 8
    assert {(i.key.split("/")[0], i.label_index) for i in dataset.items} == {
        ("Golden_Retriever", 0), ("n00000001", 1), ("goldfish", 2), ("3", 3)
    }
    assert dataset.open_image(dataset.items[0]).mode == "RGB"


def test_image_folder_unknown_class_lists_examples(tmp_path):
    root = write_image_folder(tmp_path / "imgs", ["goldfish", "zebra", "n99999999"], 1)
    with pytest.raises(FreqscopeError, match=r"2 labels .* not classes of toy .*'n99999999', 'zebra'"):
        load_image_dataset(root, toy_class_list())


def test_duplicate_class_name_needs_index_or_wnid(tmp_path):
    classes = ClassList("dup", "test", [ClassEntry(0, "crane", "n00000000"), ClassEntry(1, "crane", "n00000001")],
                        [Term(0, "crane", "name"), Term(1, "crane", "name")])
    write_image_folder(tmp_path / "imgs", ["crane"], 1)
    with pytest.raises(FreqscopeError, match="names classes"):
        load_image_dataset(tmp_path / "imgs", classes)
    write_image_folder(tmp_path / "ok", ["n00000001"], 1)
    assert load_image_dataset(tmp_path / "ok", classes).items[0].label_index == 1


def test_jsonl_manifest_with_splits_and_image_root(tmp_path):
    records = [
        {"image": "./data/a.jpg", "label": "goldfish", "split": "test"},
        {"image": "./data/b.jpg", "label": "Sea Lion", "split": "test"},
        {"image": "./data/c.jpg", "label": "tabby cat", "split": "train"},
    ]
    manifest = tmp_path / "toy.jsonl"
    manifest.write_text("".join(json.dumps(r) + "\n" for r in records))
    with pytest.raises(FreqscopeError, match="holds splits test, train: pass --split"):
        load_image_dataset(manifest, toy_class_list())
    with pytest.raises(FreqscopeError, match="no split 'valid'"):
        load_image_dataset(manifest, toy_class_list(), split="valid")
    dataset = load_image_dataset(manifest, toy_class_list(), split="test", image_root=tmp_path / "root")
    assert [(i.key, i.label_index) for i in dataset.items] == [("./data/a.jpg", 2), ("./data/b.jpg", 3)]
    assert dataset.items[0].location == tmp_path / "root" / "data" / "a.jpg"
    assert dataset.name.endswith("toy.jsonl#test")


def test_csv_manifest_by_index_and_missing_column(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,label\nx/1.png,0\nx/2.png,3\n")
    dataset = load_image_dataset(manifest, toy_class_list())
    assert [i.label_index for i in dataset.items] == [0, 3]
    bad = tmp_path / "bad.csv"
    bad.write_text("picture,label\nx.png,0\n")
    with pytest.raises(FreqscopeError, match="no image column"):
        load_image_dataset(bad, toy_class_list())


def test_missing_dataset_is_a_clear_error(tmp_path):
    with pytest.raises(FreqscopeError, match="does not exist"):
        load_image_dataset(tmp_path / "nowhere", toy_class_list())


@pytest.mark.shared
def test_seed_paper_manifests_resolve_to_their_class_lists():
    require_shared(SHARED_CLASSES / "vlmclassifier")
    for dataset_file, classes_file, n_test in (("flowers.jsonl", "flowers_classes.json", None),
                                               ("caltech.jsonl", "caltech_classes.json", None)):
        names = json.loads((SHARED_CLASSES / "vlmclassifier" / classes_file).read_text())
        classes = ClassList(classes_file, "test", [ClassEntry(i, n) for i, n in enumerate(names)],
                            [Term(i, n, "name") for i, n in enumerate(names)])
        path = SHARED_CLASSES / "vlmclassifier" / dataset_file
        records = [json.loads(line) for line in path.read_text().splitlines()]
        dataset = load_image_dataset(path, classes, split="test")
        expected = [r for r in records if r["split"] == "test"]
        assert len(dataset.items) == len(expected) > 0
        assert all(names[item.label_index] == record["label"] for item, record in zip(dataset.items, expected))


def test_saved_hf_dataset(tmp_path):
    datasets = pytest.importorskip("datasets")
    from freqscope.infer.synthetic import generated_image

    features = datasets.Features({"img": datasets.Image(), "label": datasets.ClassLabel(names=["sea lion", "goldfish"])})
    split = datasets.Dataset.from_dict(
        {"img": [generated_image(i) for i in range(3)], "label": [0, 1, 1]}, features=features
    )
    datasets.DatasetDict({"test": split, "train": split}).save_to_disk(str(tmp_path / "hf"))
    with pytest.raises(FreqscopeError, match="pass --split"):
        load_image_dataset(tmp_path / "hf", toy_class_list())
    dataset = load_image_dataset(tmp_path / "hf", toy_class_list(), split="test")
    # The dataset's own label names are mapped, not its label numbers: "sea lion" is class 3 of the toy list.
    assert [(i.key, i.label_index) for i in dataset.items] == [("test/0", 3), ("test/1", 2), ("test/2", 2)]
    assert dataset.open_image(dataset.items[1]).size == (48, 40)
