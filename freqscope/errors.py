"""The one exception type a user sees: its message is a single actionable line (what, where, what to do)."""


class FreqscopeError(Exception):
    """An error caused by the user's input or environment, reported without a traceback."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, acted on where the work could stop cleanly; its message says what was kept (exit 130)."""
