"""The two kinds of user mistake, each reported as one paragraph with no traceback."""


class ConfigError(ValueError):
    """A mistake in the configuration (a key, a value, a table, an override): exit 2."""


class UsageError(ValueError):
    """A mistake in how a command is used that is not a configuration (a folder that is not
    a sweep, a file that is missing): exit 2."""


#: The exit code of a refused command.
EXIT_USER_ERROR = 2


def fail(err: Exception) -> None:
    """Report a user's mistake in one paragraph and exit with :data:`EXIT_USER_ERROR`."""
    import sys

    kind = "configuration error" if isinstance(err, ConfigError) else "error"
    print(f"ceasefire-sim: {kind}: {err}", file=sys.stderr)
    sys.exit(EXIT_USER_ERROR)


#: Optional stacks: the extra that installs each (pyproject.toml), and what needs it.
EXTRAS = {
    "pyabc": ("calibration", "the ABC-SMC calibration (python -m experiments.calibration)"),
    "ema_workbench": ("decisions", "scenario discovery (python -m experiments.decisions, python -m sim.discover)"),
    "sklearn": ("decisions", "the CART cross-check of scenario discovery"),
}


def require(module: str):
    """Import an optional stack (:data:`EXTRAS`), or raise :class:`UsageError` saying which
    extra installs it. The quickstart (``make setup``) installs every extra."""
    import importlib

    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as err:
        extra, what = EXTRAS[module.split(".")[0]]
        raise UsageError(
            f"{what} needs the '{extra}' extra, which is not installed ({err}): pip install -e '.[{extra}]' "
            "(make setup installs every extra)."
        ) from None
