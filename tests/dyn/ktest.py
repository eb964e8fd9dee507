"""The guest test protocol (tests/guest/README.md) for the Python checks of
tests/dyn/: one KTEST line per check on the console, also appended to
$KTEST_TALLY for /init to count."""
import os

TALLY = os.environ.get("KTEST_TALLY")


def emit(line):
    print(line, flush=True)
    if TALLY:
        with open(TALLY, "a") as f:
            f.write(line + "\n")


def check(name, fn, width=120):
    """Run fn as check name: PASS if it returns, FAIL with the exception."""
    try:
        fn()
    except Exception as e:  # any failure is this check's, not the script's
        emit("KTEST FAIL %s %s: %s" % (name, type(e).__name__, str(e)[:width].replace("\n", "|")))
    else:
        emit("KTEST PASS %s" % name)


def expect(cond, what):
    if not cond:
        raise AssertionError(what)
