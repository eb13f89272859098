"""Reports: every PDF page rendered with pdftoppm and checked to be non-blank; HTML opened in a real headless
browser (a screenshot that is not blank, no console message); pairings; report definitions."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from PIL import Image

from freqscope.errors import FreqscopeError
from freqscope.paths import REPORTS_DIR
from freqscope.report import choose_pairings, load_definition, write_report
from tests.helpers_analysis import accuracy_rows, small_database

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome", "headless_shell")


def rendered_pages(pdf, out_dir):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(out_dir / "page")], check=True)
    return sorted(out_dir.glob("page-*.png"))


def ink(png) -> float:
    """Share of pixels that are not white."""
    grey = Image.open(png).convert("L")
    histogram = grey.histogram()
    return 1 - sum(histogram[250:]) / sum(histogram)


@pytest.fixture
def db(db_path):
    small_database(db_path).close()
    return db_path


def test_pdf_report_pages_are_all_drawn(db, tmp_path):
    output = write_report(db, tmp_path / "report.pdf", taxonomies=["zoo"])
    pages = rendered_pages(output, tmp_path)
    sections = load_definition("default")["sections"]
    # a title page, then a page per section (per_dataset and published have nothing to show for one list and
    # no published counts)
    assert len(pages) >= len(sections) + 1 - 2
    blank = [p.name for p in pages if ink(p) < 0.002]
    assert not blank, f"blank pages: {blank}"


def test_html_report_is_self_contained_with_every_model(db, tmp_path):
    output = write_report(db, tmp_path / "report.html", definition="default")
    text = output.read_text()
    # plotly.js is inlined: nothing is loaded from elsewhere (the browser test below also runs offline)
    assert not re.findall(r"<script[^>]*\ssrc=|<link[^>]*\shref=", text)
    assert text.count("Plotly.newPlot") >= 6  # scatter, binned, models, head/tail, decades, distribution
    assert "<table>" in text and "list_contains($corpora" in text
    assert "model-a" in text and "model-b" in text  # both models: in the summary and side by side
    assert '"animal 29 (zoo)' not in text and "animal 29" in text  # class names ride with the points, for hover


def find_browser() -> str | None:
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def test_html_report_opens_in_a_headless_browser(db, tmp_path):
    browser = find_browser()
    if browser is None:
        pytest.skip("no headless browser (chromium) is installed")
    output = write_report(db, tmp_path / "report.html")
    shot = tmp_path / "shot.png"
    run = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1280,2400",
         "--virtual-time-budget=15000", "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--log-level=0", f"--user-data-dir={tmp_path / 'profile'}",
         f"--screenshot={shot}", output.as_uri()],
        capture_output=True, text=True, timeout=180)
    console = [line for line in run.stderr.splitlines() if ":CONSOLE" in line]
    assert not console, "\n".join(console)  # no error, warning or log from the page's scripts
    assert shot.exists(), run.stderr[-2000:]
    assert ink(shot) > 0.03  # text, tables and drawn figures, not a blank page
    # the figures were drawn by plotly in the browser: the lower part of the page (figures) has ink too
    image = Image.open(shot).convert("L")
    lower = image.crop((0, image.height // 2, image.width, image.height))
    assert 1 - sum(lower.histogram()[250:]) / (lower.width * lower.height) > 0.01


def test_a_format_that_contradicts_the_suffix_is_refused(db, tmp_path):
    with pytest.raises(FreqscopeError, match=r"--format pdf but the output .*x\.html ends in \.html"):
        write_report(db, tmp_path / "x.html", format="pdf")
    assert not (tmp_path / "x.html").exists()
    assert write_report(db, tmp_path / "x.report", format="html").read_text().startswith("<!doctype html>")


def test_an_unknown_list_is_named(db, tmp_path):
    with pytest.raises(FreqscopeError, match="no list imagenet in the database; lists .*: zoo"):
        write_report(db, tmp_path / "r.pdf", taxonomies=["imagenet"])


def test_models_are_paired_with_the_corpus_their_name_names(db, tmp_path):
    import duckdb

    connection = duckdb.connect(str(db))
    accuracy_rows(connection, "clip_pretrainedcaptions", "zoo", {i: 0.5 for i in range(30)})
    accuracy_rows(connection, "other_pretrainedcaptions", "zoo", {i: 0.4 for i in range(30)})
    chosen, unpaired, rule = choose_pairings(connection, ["zoo"], None, None, None, ["other_pretrainedcaptions"])
    assert chosen == [("other_pretrainedcaptions", ["captions"], True), ("clip_pretrainedcaptions", ["captions"], False)]
    assert unpaired == ["model-a", "model-b"] and "its name names" in rule
    named, unpaired, _ = choose_pairings(connection, ["zoo"], None, ["clip_pretrainedcaptions", "model-a"], None, [])
    assert named == [("clip_pretrainedcaptions", ["captions"], True), ("model-a", ["captions"], False)]
    assert unpaired == []  # a model named with --model is analysed, against the default corpora
    explicit, _, _ = choose_pairings(connection, ["zoo"], None, None, ["model-b=captions"], [])
    assert explicit == [("model-b", ["captions"], True)]
    with pytest.raises(FreqscopeError, match="--pair 'model-b': write MODEL=CORPUS"):
        choose_pairings(connection, ["zoo"], None, None, ["model-b"], [])
    connection.close()


def test_report_definitions_are_checked(db, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('sections = ["summary", "horoscope"]\n')
    with pytest.raises(FreqscopeError, match="horoscope"):
        write_report(db, tmp_path / "r.pdf", definition=bad)
    with pytest.raises(FreqscopeError, match="no report definition"):
        write_report(db, tmp_path / "r.pdf", definition="nonesuch")
    for path in REPORTS_DIR.glob("*.toml"):
        assert load_definition(path)["sections"]


def test_cli_report(db, tmp_path):
    from typer.testing import CliRunner

    from freqscope.cli import app

    output = tmp_path / "out" / "r.html"
    result = CliRunner().invoke(app, ["report", "-o", str(output), "--db", str(db), "-m", "model-b"])
    assert result.exit_code == 0, result.output
    assert output.exists() and re.search(r"report written to .*r\.html", result.output)


def report_data(db, **options):
    from freqscope.report import DEFAULT_OPTIONS, collect
    from freqscope.store import open_database

    connection = open_database(db, read_only=True)
    analysis_options = {"bins": 12, "drop_low": 1, "drop_high": 1, "tail_fraction": 0.2}
    return collect(connection, ["zoo"], None, ["model-a"], None, {**DEFAULT_OPTIONS, "bootstrap": 20, **options},
                   analysis_options, lambda line: None)


def test_least_exposed_ties_are_ordered_by_accuracy_with_exposure_per_million(db):
    from freqscope.report import section_least_exposed, section_most_exposed

    data = report_data(db, top_n=5)
    (least,) = section_least_exposed(data)
    # classes 0 and 2 are never mentioned (class 1 is, through the ambiguous "pet"); the more accurate first,
    # not list order
    assert [row[1:3] for row in least.rows[:3]] == [["animal 2", "0"], ["cat", "0"], ["animal 5", "1"]]  # 3, 4, 5: exposure 1
    assert float(least.rows[0][4]) > float(least.rows[1][4])
    (most,) = section_most_exposed(data)
    assert most.rows[0][1] in ("animal 27", "animal 28", "animal 29") and most.rows[0][2] == "511"
    assert most.rows[0][3] == f"{511 * 1e6 / 1000:,.1f}"  # per million of the corpus's 1,000 documents
    data.connection.close()


def test_sensitivity_page_explains_every_variant_and_marks_the_headline(db):
    from freqscope.report import section_sensitivity

    data = report_data(db)
    table, explanations = section_sensitivity(data)
    variants = [row[1] for row in table.rows]
    assert variants[0] == "headline: default" and "ambiguous terms skipped" in variants
    for variant in variants:
        assert f"{variant}: " in explanations.text  # every variant explained
    assert "precision-weighted" in explanations.text and "Left out because" in explanations.text  # not audited
    data.connection.close()


def test_reading_states_the_headline_with_its_interval_and_caveats(db):
    from freqscope.report import section_reading

    data = report_data(db)
    (reading,) = section_reading(data)
    spearman = data.primary[0].result["spearman"]
    assert f"Spearman ρ = {spearman['r']:.2f} [95% interval {spearman['ci_low']:.2f}, {spearman['ci_high']:.2f}]" \
        in reading.text
    assert "never mentioned" in reading.text and "Caveats" in reading.text and "precision is unknown" in reading.text
    data.connection.close()


def test_report_reports_progress_and_takes_an_open_handle(db, tmp_path):
    import freqscope

    lines: list[str] = []
    write_report(db, tmp_path / "a.pdf", definition="fdp", progress=lines.append)
    assert lines[0].startswith("analysing 1/2: model-a against captions") and lines[-1].startswith("drawing 7 sections")
    with freqscope.connect(db) as fs:  # a path open through freqscope.connect() is read through that handle
        assert fs.report(tmp_path / "b.pdf", definition="fdp").stat().st_size > 10_000
        assert write_report(db, tmp_path / "c.pdf", definition="fdp").exists()
