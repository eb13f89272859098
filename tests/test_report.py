"""Reports: every PDF page rendered with pdftoppm and checked to be non-blank; HTML; report definitions."""
from __future__ import annotations

import shutil
import subprocess

import pytest
from PIL import Image

from freqscope.errors import FreqscopeError
from freqscope.paths import REPORTS_DIR
from freqscope.report import load_definition, write_report
from tests.helpers_analysis import small_database


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
    assert len(pages) >= len(sections) + 1  # a title page, then at least one page per section
    blank = [p.name for p in pages if ink(p) < 0.002]
    assert not blank, f"blank pages: {blank}"


def test_html_report_embeds_figures_tables_and_sql(db, tmp_path):
    output = write_report(db, tmp_path / "report.html", models=["model-a"], definition="fdp")
    text = output.read_text()
    assert text.count("data:image/png;base64,") == 4  # binned, models, scatter, distribution
    assert "<table>" in text and "list_contains($corpora" in text
    assert "model-a" in text and "model-b" not in text


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
    assert output.exists()
