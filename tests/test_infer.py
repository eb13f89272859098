"""``freqscope infer`` end to end on CPU with tiny random-weight models built from configs (no download)."""
from __future__ import annotations

import sys

import pytest

from freqscope.errors import FreqscopeError
from freqscope.store import open_database
from tests.infer_helpers import TOY_NAMES, toy_class_list

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
from freqscope.infer import infer  # noqa: E402
from freqscope.infer import synthetic  # noqa: E402
from freqscope.infer.likelihood import class_log_likelihoods  # noqa: E402
from freqscope.infer.methods import ClosedSetMethod  # noqa: E402
from freqscope.infer.models import load_model  # noqa: E402

PREDICTIONS_SQL = "SELECT image, label_index, predicted_index, answer, score, error FROM predictions WHERE run_id = ? ORDER BY image"


@pytest.fixture(scope="session")
def checkpoints(tmp_path_factory):
    root = tmp_path_factory.mktemp("checkpoints")
    return {
        "llava": synthetic.save_tiny_llava(root / "tiny-llava", TOY_NAMES),
        "blip2": synthetic.save_tiny("blip2", root / "tiny-blip2", TOY_NAMES),
        "clip": synthetic.save_tiny("clip", root / "tiny-clip", TOY_NAMES),
    }


@pytest.fixture(scope="session")
def image_folder(tmp_path_factory):
    root = synthetic.write_image_folder(tmp_path_factory.mktemp("data") / "imgs", ["golden retriever", "n00000001", "goldfish", "sea_lion"], 2)
    (root / "goldfish" / "corrupt.jpg").write_bytes(b"this is not a JPEG")
    return root


def naive_log_likelihoods(vlm, image, prompt_text, continuations, reduce):
    """Each class scored by its own full forward pass over image + prompt + class name."""
    prefix = vlm.inputs([image], [prompt_text])
    scores = []
    for tokens in continuations:
        ids = torch.cat([prefix["input_ids"], torch.tensor([tokens])], dim=1)
        with torch.inference_mode():
            logits = vlm.model(input_ids=ids, attention_mask=torch.ones_like(ids), pixel_values=prefix["pixel_values"]).logits
        log_probs = logits[0].float().log_softmax(-1)
        start = prefix["input_ids"].shape[1] - 1
        total = sum(log_probs[start + j, t].item() for j, t in enumerate(tokens))
        scores.append(total / len(tokens) if reduce == "mean" else total)
    return torch.tensor(scores)


@pytest.mark.parametrize("family", ["llava", "blip2"])
@pytest.mark.parametrize("reduce", ["sum", "mean"])
def test_likelihood_matches_naive_loop(checkpoints, family, reduce):
    vlm = load_model(str(checkpoints[family]), device="cpu", dtype=torch.float32)
    names = TOY_NAMES + ["goldfish bowl", "golden", "cat"]  # shared first tokens: the mask must keep classes apart
    prompt_text = vlm.prompt_text("What type of object is in this photo?")
    continuations = vlm.continuation_ids(prompt_text, [" " + n for n in names])
    image = synthetic.generated_image(11)
    # A small pass budget splits the classes over several passes, cropping the cache back each time.
    fast = class_log_likelihoods(vlm, image, prompt_text, continuations, reduce=reduce, tokens_per_pass=5)
    naive = naive_log_likelihoods(vlm, image, prompt_text, continuations, reduce)
    assert torch.allclose(fast, naive, atol=1e-4)
    assert fast.argsort().tolist() == naive.argsort().tolist()


@pytest.mark.parametrize("method", ["open", "closed", "likelihood", "clip"])
def test_each_method_end_to_end(checkpoints, image_folder, tmp_path, method):
    model = checkpoints["clip" if method == "clip" else "llava"]
    db = tmp_path / "runs.duckdb"
    summary = infer(str(model), image_folder, classes=toy_class_list(), method=method, db=db, batch_size=3,
                    device="cpu", candidates=3 if method in ("closed", "clip") else None, max_new_tokens=4)
    assert summary.status == "done" and summary.n_images == summary.n_predicted == summary.n_new == 9
    assert summary.n_errors == 1 and 0.0 <= summary.accuracy <= 1.0
    con = open_database(db)
    rows = con.execute(PREDICTIONS_SQL, [summary.run_id]).fetchall()
    corrupt = [r for r in rows if r[0] == "goldfish/corrupt.jpg"][0]
    assert corrupt[2] is None and corrupt[5].startswith("UnidentifiedImageError")
    good = [r for r in rows if r[5] is None]
    if method in ("open", "closed"):
        assert all(isinstance(r[3], str) for r in good)
    else:
        assert all(r[2] is not None and r[4] is not None for r in good)
    accuracy = con.execute(
        "SELECT class_index, n, accuracy FROM class_accuracy WHERE source = ? ORDER BY class_index",
        [f"run:{summary.run_id}"],
    ).fetchall()
    assert [(c, n) for c, n, _ in accuracy] == [(0, 2), (1, 2), (2, 2), (3, 2)]
    stored = dict(((c, a) for c, _, a in accuracy))
    for c in range(4):
        labelled = [r for r in good if r[1] == c]
        assert stored[c] == pytest.approx(sum(r[2] == c for r in labelled) / len(labelled))
    run = con.execute("SELECT model, method, taxonomy, settings, versions FROM runs").fetchone()
    assert run[0] == f"{model.name}:{method}" and run[1] == method and run[2] == "toy"
    assert '"torch"' in run[4] and '"transformers"' in run[4]
    con.close()


def test_blip2_open_ended(checkpoints, image_folder, tmp_path):
    summary = infer(str(checkpoints["blip2"]), image_folder, classes=toy_class_list(), method="open",
                    db=tmp_path / "b.duckdb", device="cpu", max_new_tokens=3, limit=4)
    assert summary.n_new == 4 and summary.status == "running"


def test_closed_set_prompt_lists_shuffled_candidates(checkpoints):
    vlm = load_model(str(checkpoints["llava"]), device="cpu", dtype=torch.float32)
    method = ClosedSetMethod(vlm, toy_class_list(), prompt=None, seed=0, candidates=3)
    question = method.question(2, "goldfish/000.jpg")
    assert question.startswith('What type of object is in this photo? Choose one from "')
    offered = question.split('"')[1].split(", ")
    assert len(offered) == 3 and "goldfish" in offered
    assert method.question(2, "goldfish/000.jpg") == question


@pytest.mark.parametrize("method", ["closed", "likelihood"])
def test_resume_gives_the_same_predictions(checkpoints, image_folder, tmp_path, method):
    options = dict(classes=toy_class_list(), method=method, batch_size=2, device="cpu", max_new_tokens=4)
    model = str(checkpoints["llava"])
    whole = infer(model, image_folder, db=tmp_path / "whole.duckdb", **options)

    written = []

    def interrupt(n_images):
        written.append(n_images)
        if len(written) == 2:
            raise KeyboardInterrupt

    db = tmp_path / "resumed.duckdb"
    with pytest.raises(KeyboardInterrupt):
        infer(model, image_folder, db=db, on_batch=interrupt, **options)
    partial = infer(model, image_folder, db=db, limit=0, **options)
    assert partial.status == "running" and partial.n_predicted == 4 and partial.resumed
    resumed = infer(model, image_folder, db=db, **options)
    assert resumed.resumed and resumed.n_new == 5 and resumed.status == "done" and resumed.run_id == partial.run_id
    again = infer(model, image_folder, db=db, **options)
    assert again.n_new == 0 and again.run_id == resumed.run_id

    def predictions(path, run_id):
        con = open_database(path)
        try:
            return con.execute(PREDICTIONS_SQL, [run_id]).fetchall()
        finally:
            con.close()

    assert predictions(db, resumed.run_id) == predictions(tmp_path / "whole.duckdb", whole.run_id)


def test_limit_then_continue_and_new_settings_make_a_new_run(checkpoints, image_folder, tmp_path):
    options = dict(classes=toy_class_list(), method="likelihood", db=tmp_path / "l.duckdb", device="cpu")
    model = str(checkpoints["llava"])
    first = infer(model, image_folder, limit=3, **options)
    assert (first.n_new, first.status, first.resumed) == (3, "running", False)
    rest = infer(model, image_folder, batch_size=4, **options)  # execution settings do not split a run
    assert (rest.run_id, rest.n_new, rest.status, rest.resumed) == (first.run_id, 6, "done", True)
    summed = infer(model, image_folder, reduce="sum", limit=1, **options)
    assert summed.run_id != first.run_id and not summed.resumed


def test_safetensors_only_unless_allowed(checkpoints, tmp_path):
    from transformers import AutoModelForImageTextToText, AutoProcessor

    pickled = tmp_path / "pickled"
    model = AutoModelForImageTextToText.from_pretrained(str(checkpoints["llava"]))
    pickled.mkdir()
    model.config.save_pretrained(pickled)
    torch.save(model.state_dict(), pickled / "pytorch_model.bin")  # the old pickle format
    AutoProcessor.from_pretrained(str(checkpoints["llava"])).save_pretrained(pickled)
    assert not list(pickled.glob("*.safetensors"))
    with pytest.raises(FreqscopeError, match="--allow-pickle"):
        load_model(str(pickled), device="cpu", dtype=torch.float32)
    assert load_model(str(pickled), device="cpu", dtype=torch.float32, allow_pickle=True).model_type == "llava"


def test_method_and_model_must_fit(checkpoints, image_folder, tmp_path):
    with pytest.raises(FreqscopeError, match="needs a CLIP-style dual encoder"):
        infer(str(checkpoints["llava"]), image_folder, classes=toy_class_list(), method="clip", db=tmp_path / "x.duckdb", device="cpu")
    with pytest.raises(FreqscopeError, match="cannot load model"):
        infer(str(tmp_path / "no-model"), image_folder, classes=toy_class_list(), db=tmp_path / "new.duckdb", device="cpu")
    assert not (tmp_path / "new.duckdb").exists()  # a failed load leaves no new database behind
    existing = tmp_path / "existing.duckdb"
    infer(str(checkpoints["clip"]), image_folder, classes=toy_class_list(), method="clip", db=existing, device="cpu", limit=1)
    with pytest.raises(FreqscopeError, match="cannot load model"):
        infer(str(tmp_path / "no-model"), image_folder, classes=toy_class_list(), db=existing, device="cpu")
    con = open_database(existing)
    assert con.execute("SELECT count(*) FROM runs").fetchone() == (1,)  # nor a run without predictions
    con.close()


def test_missing_extra_names_the_install_command(monkeypatch):
    from freqscope.infer.models import require_torch

    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(FreqscopeError, match=r"pip install torch==2\.13\.0 && pip install -e '\.\[infer\]'"):
        require_torch()


def test_gpu_check_runs_tiny_on_cpu_without_polars_duckdb_or_the_matcher(tmp_path):
    """The GPU machine has neither polars nor duckdb, nor this machine's compiled matcher: the check must not
    import them (they are blocked here), and gives every measure."""
    import json
    import subprocess

    from freqscope.paths import REPO_ROOT

    blocked = "import sys; [sys.modules.__setitem__(m, None) for m in ('polars', 'duckdb', 'freqscope._matchcore', 'pyarrow')]"
    run = (f"{blocked}; import runpy; sys.argv = ['gpu_check.py', '--tiny', '--images', '4', '--clip-images', '6', "
           f"'--classes', '30', '--batch-size', '2', '--open-tokens', '3', '--check-classes', '12', "
           f"'--output', {str(tmp_path / 'out.json')!r}]; runpy.run_path({str(REPO_ROOT / 'benchmarks' / 'gpu_check.py')!r}, run_name='__main__')")
    done = subprocess.run([sys.executable, "-c", run], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads((tmp_path / "out.json").read_text())["results"]
    assert [r["method"] for r in results] == ["open", "closed", "likelihood", "clip"]
    assert [r["images"] for r in results] == [4, 4, 4, 6] and all(r["images_per_second"] > 0 for r in results)
    likelihood = results[2]
    assert likelihood["packed_vs_naive_max_difference"] < 1e-3 and likelihood["same_best_class"]


def test_each_model_load_error_says_its_real_cause(checkpoints, tmp_path):
    """Not "needs --allow-pickle" for everything: a missing folder, a folder without a config, remote code, a
    malicious pickle and an unreachable hub each say what they are."""
    import json
    import pickle

    from freqscope.infer.models import load_error_cause

    def message(path, **options):
        with pytest.raises(FreqscopeError) as caught:
            load_model(str(path), device="cpu", dtype=torch.float32, **options)
        assert "\n" not in str(caught.value)
        return str(caught.value)

    assert "no such folder" in message(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    assert "no config.json" in message(tmp_path / "empty")

    remote = tmp_path / "remote"
    remote.mkdir()
    (remote / "config.json").write_text(json.dumps(
        {"model_type": "my_custom_vlm", "auto_map": {"AutoConfig": "configuration_custom.CustomConfig"}}))
    assert "--trust-remote-code only if you trust" in message(remote)

    class RunsCode:
        def __reduce__(self):
            return (print, ("this code must not run",))

    malicious = tmp_path / "malicious"
    malicious.mkdir()
    for name in ("config.json", "preprocessor_config.json", "processor_config.json", "tokenizer.json",
                 "tokenizer_config.json", "chat_template.jinja"):
        if (checkpoints["llava"] / name).exists():
            (malicious / name).write_bytes((checkpoints["llava"] / name).read_bytes())
    (malicious / "pytorch_model.bin").write_bytes(pickle.dumps({"weights": RunsCode()}))
    assert "--allow-pickle if you trust" in message(malicious)
    assert "before any of their code ran" in message(malicious, allow_pickle=True)

    offline = OSError("We couldn't connect to 'https://huggingface.co' to load the files, and couldn't find them "
                      "in the cached files.\nCheck your internet connection")
    assert "not in the local Hugging Face cache" in load_error_cause("org/model", offline, allow_pickle=False)


def test_vlmclassifier_protocol_follows_the_seed(checkpoints):
    from freqscope.infer.methods import ClipMethod, LikelihoodMethod, OpenEndedMethod

    llava = load_model(str(checkpoints["llava"]), device="cpu", dtype=torch.float32)
    twice = toy_class_list(TOY_NAMES + ["goldfish"], name="dup")  # a name listed twice, as ImageNet's "missile"
    closed = ClosedSetMethod(llava, twice, prompt=None, seed=0, candidates=None, protocol="vlmclassifier")
    offered = closed.question(4, "goldfish/000.jpg").split('"')[1].split(", ")
    assert sorted(offered) == sorted(TOY_NAMES)  # de-duplicated, all offered
    assert llava.prompt_text("Q?", closed.prompt_format) == "USER: <image>\nQ?\nASSISTANT:"

    likelihood = LikelihoodMethod(llava, toy_class_list(), prompt=None, seed=0, candidates=None, reduce="mean",
                                  protocol="vlmclassifier")
    assert likelihood.prompt_text == ("USER: <image>\nWhat type of object is in this photo?\nASSISTANT: "
                                      "The photo features a")
    own = LikelihoodMethod(llava, toy_class_list(), prompt=None, seed=0, candidates=None, reduce="mean",
                           answer_prefix="It is a")
    assert own.prompt_text.endswith("ASSISTANT: It is a") and "\nASSISTANT" not in own.prompt_text
    blip2 = load_model(str(checkpoints["blip2"]), device="cpu", dtype=torch.float32)
    seed_blip2 = LikelihoodMethod(blip2, toy_class_list(), prompt=None, seed=0, candidates=None, reduce="sum",
                                  protocol="vlmclassifier")
    assert seed_blip2.prompt_text == "Question: What type of object is in this photo? Answer: A"

    substring = OpenEndedMethod(llava, toy_class_list(), prompt=None, seed=0, scoring="substring")
    matcher = OpenEndedMethod(llava, toy_class_list(), prompt=None, seed=0)
    answers, labels = ["Golden retrievers.", "a tabby cat", "a goldfish bowl"], [0, 1, 0]
    assert substring.parse(answers, labels) == [0, 1, None]  # the seed's rule records no confusion
    assert matcher.parse(answers, labels) == [0, 1, 2]

    clip = load_model(str(checkpoints["clip"]), device="cpu", dtype=torch.float32)
    assert ClipMethod(clip, toy_class_list(), prompt=None, seed=0, candidates=None, templates=None,
                      protocol="vlmclassifier").prompt == "A photo of a {c}"


def test_protocol_and_scoring_are_recorded_and_split_runs(checkpoints, image_folder, tmp_path):
    import json

    options = dict(classes=toy_class_list(), method="open", db=tmp_path / "p.duckdb", device="cpu", max_new_tokens=2,
                   limit=2)
    default = infer(str(checkpoints["llava"]), image_folder, **options)
    seed = infer(str(checkpoints["llava"]), image_folder, protocol="vlmclassifier", scoring="substring", **options)
    assert seed.run_id != default.run_id
    con = open_database(tmp_path / "p.duckdb")
    stored = {run_id: json.loads(s) for run_id, s in con.execute("SELECT run_id, settings FROM runs").fetchall()}
    con.close()
    assert (stored[default.run_id]["protocol"], stored[default.run_id]["scoring"]) == ("freqscope", "matcher")
    assert (stored[seed.run_id]["protocol"], stored[seed.run_id]["scoring"]) == ("vlmclassifier", "substring")
    with pytest.raises(FreqscopeError, match="--answer-prefix applies to --method likelihood"):
        infer(str(checkpoints["llava"]), image_folder, answer_prefix="A", **options)


def test_subset_draws_the_seed_papers_images(checkpoints, image_folder, tmp_path):
    import random

    from freqscope.infer.datasets import load_image_dataset

    keys = [item.key for item in load_image_dataset(image_folder, toy_class_list()).items]
    state = random.getstate()
    try:  # the seed's own code: random.seed(seed); random.shuffle(data); data[:1000]
        random.seed(1234)
        random.shuffle(keys)
    finally:
        random.setstate(state)
    summary = infer(str(checkpoints["clip"]), image_folder, classes=toy_class_list(), method="clip",
                    db=tmp_path / "s.duckdb", device="cpu", seed=1234, subset=4, protocol="vlmclassifier")
    assert summary.n_images == summary.n_new == 4 and summary.status == "done"
    con = open_database(tmp_path / "s.duckdb")
    stored = {row[0] for row in con.execute("SELECT image FROM predictions").fetchall()}
    con.close()
    assert stored == set(keys[:4])


def test_vlmclassifier_closed_set_offers_the_seed_papers_draws(checkpoints, image_folder):
    """The seed's code, run as written (one global random stream: shuffle the data, then per image sample the
    other names and shuffle), gives each image the same choices as the protocol, whatever order it is asked in."""
    import random

    from freqscope.infer.datasets import load_image_dataset

    names = TOY_NAMES + ["tabby cat"]  # listed twice, as ImageNet's "missile"
    class_list = toy_class_list(names, name="dup")
    items = load_image_dataset(image_folder, class_list).items
    data = [{"key": item.key, "label": names[item.label_index]} for item in items]
    state = random.getstate()
    try:
        random.seed(1234)
        random.shuffle(data)
        for item in data:  # main_results/main.py:95-101
            label = item["label"]
            other_choices = random.sample(sorted(list(set(names) - set([label]))), 3 - 1)
            shuffled_choices = [label] + other_choices
            random.shuffle(shuffled_choices)
            item["choices"] = shuffled_choices
    finally:
        random.setstate(state)
    vlm = load_model(str(checkpoints["llava"]), device="cpu", dtype=torch.float32)
    closed = ClosedSetMethod(vlm, class_list, prompt=None, seed=1234, candidates=3, protocol="vlmclassifier",
                             dataset_order=[(item.key, names[item.label_index]) for item in items])
    for item in reversed(data):
        label_index = [i.label_index for i in items if i.key == item["key"]][0]
        assert closed.question(label_index, item["key"]).split('"')[1].split(", ") == item["choices"]
