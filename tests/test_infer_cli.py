"""The `freqscope infer` command: a thin layer over freqscope.infer.infer; the rest of the CLI needs no torch."""
from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from freqscope.paths import REPO_ROOT
from tests.infer_helpers import TOY_NAMES


def test_cli_loads_without_torch():
    # Block torch and transformers: every command's module must still import, and `infer --help` must work.
    code = (
        "import sys; sys.modules['torch'] = None; sys.modules['transformers'] = None\n"
        "from typer.testing import CliRunner\n"
        "from freqscope.cli import app\n"
        "result = CliRunner().invoke(app, ['infer', '--help'])\n"
        "assert result.exit_code == 0 and '--candidates' in result.output, result.output\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, check=True)


def test_cli_without_the_extra_says_how_to_install(tmp_path):
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "sys.argv = ['freqscope', 'infer', 'some/model', 'some/data', '--classes', 'imagenet1k']\n"
        "from freqscope.cli import main\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    assert "pip install torch==2.13.0 && pip install -e '.[infer]'" in result.stderr
    assert "Traceback" not in result.stderr


def _toy_inputs(tmp_path, per_class: int):
    """A tiny random-weight LLaVA, an image folder of goldfish and sea lions, the toy class list."""
    from freqscope.infer import synthetic

    model = synthetic.save_tiny_llava(tmp_path / "tiny-llava", TOY_NAMES)
    images = synthetic.write_image_folder(tmp_path / "imgs", ["goldfish", "sea lion"], per_class)
    classes = tmp_path / "toy.csv"
    classes.write_text("name\n" + "\n".join(TOY_NAMES) + "\n")
    return model, images, classes


def test_cli_infer_end_to_end(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from freqscope.cli import app
    from freqscope.store import open_database

    checkpoint, images, classes = _toy_inputs(tmp_path, 2)
    db = tmp_path / "cli.duckdb"
    arguments = ["infer", str(checkpoint), str(images), "--classes", str(classes), "--method", "likelihood",
                 "--db", str(db), "--name", "tiny", "--device", "cpu", "--dtype", "fp32", "--limit", "3"]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    assert "status running" in result.output and "again" in result.output
    result = CliRunner().invoke(app, arguments[:-2])
    assert result.exit_code == 0, result.output
    assert "status done (resumed)" in result.output
    con = open_database(db)
    assert con.execute("SELECT count(*), min(model) FROM class_accuracy").fetchone() == (2, "tiny")
    con.close()


def test_ctrl_c_stops_after_the_batch_in_flight_keeps_it_and_exits_130(tmp_path, monkeypatch):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    import os
    import signal

    from freqscope.cli import app
    from freqscope.infer import runner
    from freqscope.store import open_database

    checkpoint, images, classes = _toy_inputs(tmp_path, 3)
    db = tmp_path / "cli.duckdb"
    write = runner.write_predictions

    def write_then_press_ctrl_c(con, run_id, rows):
        write(con, run_id, rows)
        os.kill(os.getpid(), signal.SIGINT)  # as if pressed while the next batch was being predicted

    monkeypatch.setattr(runner, "write_predictions", write_then_press_ctrl_c)
    arguments = ["infer", str(checkpoint), str(images), "--classes", str(classes), "--method", "likelihood",
                 "--db", str(db), "--device", "cpu", "--batch-size", "2"]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 130, result.output
    assert "interrupted: 2 images predicted and stored now, 2 of 6" in result.output
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handler is put back
    monkeypatch.setattr(runner, "write_predictions", write)
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0 and "status done (resumed)" in result.output, result.output
    con = open_database(db)
    assert con.execute("SELECT count(*) FROM predictions").fetchone() == (6,)
    con.close()


def test_ctrl_c_while_the_model_loads_exits_130_with_one_line(tmp_path, monkeypatch):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from freqscope.cli import app
    from freqscope.infer import runner, synthetic

    def interrupted_load(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "load_model", interrupted_load)
    images = synthetic.write_image_folder(tmp_path / "imgs", ["goldfish"], 1)
    classes = tmp_path / "toy.csv"
    classes.write_text("name\n" + "\n".join(TOY_NAMES) + "\n")
    result = CliRunner().invoke(app, ["infer", str(tmp_path / "any-model"), str(images), "--classes", str(classes),
                                      "--db", str(tmp_path / "i.duckdb"), "--device", "cpu"])
    assert result.exit_code == 130 and result.output.strip().startswith("infer interrupted"), result.output
    assert len(result.output.strip().splitlines()) == 1
