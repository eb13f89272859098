"""Progress bars on stderr (rich), silent when quiet or when stderr is not a terminal that wants them."""
from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress
from rich.text import Text


class RateColumn(ProgressColumn):
    """Items per second, e.g. "1.9M docs/s"."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        if speed is None:
            return Text(f"– {self.unit}/s")
        for scale, suffix in ((1e6, "M"), (1e3, "k")):
            if speed >= scale:
                return Text(f"{speed / scale:.1f}{suffix} {self.unit}/s")
        return Text(f"{speed:.1f} {self.unit}/s")


class Progress:
    """One bar per task; ``quiet`` turns the whole thing into no-ops."""

    def __init__(self, *, quiet: bool = False, unit: str = "docs") -> None:
        self.quiet = quiet
        self.console = Console(stderr=True)
        self._progress = None if quiet else RichProgress(
            SpinnerColumn(),
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            RateColumn(unit),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=self.console,
            transient=False,
        )

    def __enter__(self) -> "Progress":
        if self._progress is not None:
            self._progress.__enter__()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._progress is not None:
            if exc_type is not None:  # leave the error line alone on screen, not a half-drawn bar above it
                for task in self._progress.tasks:
                    self._progress.update(task.id, visible=False)
            self._progress.__exit__(exc_type, exc, tb)

    def add_task(self, description: str, total: int | None = None) -> int:
        return -1 if self._progress is None else self._progress.add_task(description, total=total)

    def advance(self, task: int, amount: int) -> None:
        if self._progress is not None:
            self._progress.advance(task, amount)

    def finish(self, task: int) -> None:
        if self._progress is not None:
            completed = next(t for t in self._progress.tasks if t.id == task).completed
            self._progress.update(task, total=completed, completed=completed)

    def note(self, message: str) -> None:
        if not self.quiet:
            self.console.print(message, highlight=False)
