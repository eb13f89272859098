"""Progress bars on stderr (rich), silent when quiet or when stderr is not a terminal that wants them."""
from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
)
from rich.progress import Progress as RichProgress
from rich.table import Column
from rich.text import Text

# A shard's name is cut to this many characters (an ellipsis at the end), so that the line fits 80 columns.
DESCRIPTION_WIDTH = 28


def compact(number: float) -> str:
    """A count in at most five or six characters: 950, 12.3k, 4.5M, 2.3G."""
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if number >= scale:
            return f"{number / scale:.1f}{suffix}"
    return f"{number:.0f}"


class RateColumn(ProgressColumn):
    """Items per second, e.g. "1.9M docs/s"."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        if speed is None:
            return Text(f"– {self.unit}/s")
        return Text(f"{compact(speed) if speed >= 1e3 else f'{speed:.1f}'} {self.unit}/s")


def clock(seconds: float | None) -> str:
    """m:ss, or h:mm:ss from an hour; "-:--" where unknown."""
    if seconds is None:
        return "-:--"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class TimesColumn(ProgressColumn):
    """Elapsed and remaining time, as tqdm writes them: "0:12<1:05"."""

    def render(self, task: Task) -> Text:
        remaining = 0.0 if task.finished else task.time_remaining
        return Text(f"{clock(task.finished_time if task.finished else task.elapsed)}<{clock(remaining)}")


class CountColumn(ProgressColumn):
    """Done of the total where it is known, compactly ("4.5M/10.0M"): with the rest, a bar fits 80 columns."""

    def render(self, task: Task) -> Text:
        done = compact(task.completed)
        return Text(done if task.total is None else f"{done}/{compact(task.total)}")


class Progress:
    """One bar per task; ``quiet`` turns the whole thing into no-ops. ``console``: stderr unless given."""

    def __init__(self, *, quiet: bool = False, unit: str = "docs", console: Console | None = None) -> None:
        self.quiet = quiet
        self.console = console or Console(stderr=True)
        self._progress = None if quiet else RichProgress(
            SpinnerColumn(),
            TextColumn("[progress.description]{task.description}",
                       table_column=Column(max_width=DESCRIPTION_WIDTH, no_wrap=True, overflow="ellipsis")),
            BarColumn(bar_width=None),  # what the other columns leave of the line
            CountColumn(),
            RateColumn(unit),
            TimesColumn(),
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

    def describe(self, task: int, description: str) -> None:
        if self._progress is not None:
            self._progress.update(task, description=description)

    def advance(self, task: int, amount: int) -> None:
        if self._progress is not None:
            self._progress.advance(task, amount)

    def finish(self, task: int) -> None:
        """The task done at what it completed (its total, where that was not known), keeping its rate."""
        if self._progress is not None:
            state = next(t for t in self._progress.tasks if t.id == task)
            # rich forgets its samples when the total changes, and has no rate from a single one
            speed = state.finished_speed or state.speed or (state.completed / state.elapsed if state.elapsed else None)
            self._progress.update(task, total=state.completed, completed=state.completed)
            state.finished_speed = speed

    def note(self, message: str) -> None:
        if not self.quiet:
            self.console.print(message, highlight=False)
