"""``freqscope corpus remove``."""
from __future__ import annotations

from typing import Annotated

import typer

from freqscope.cli.app import DbOption, FreqscopeTyper, app, console

corpus_app = FreqscopeTyper(help="Corpora in the database.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")


@corpus_app.command("remove")
def remove_command(
    name: Annotated[str, typer.Argument(help="The corpus, as `index --corpus` or `counts import --corpus` named it.")],
    db: DbOption = None,
) -> None:
    """Remove a corpus: its shards, matches, counts, imported counts and audit judgements (the class lists stay)."""
    from freqscope.store import remove_corpus, resolve_db_path

    path = resolve_db_path(db)
    shards, documents = remove_corpus(name, db=path)
    console.print(f"removed corpus {name!r} ({shards} shard(s), {documents:,} documents) from {path}",
                  highlight=False)
