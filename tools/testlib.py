"""What the tools' self-tests (tests/tools/*.py) share: one `test <name>
... ok|FAIL why` line per check, and the `N passed, M failed` summary."""
import sys


class Results:
    def __init__(self):
        self.passed = self.failed = 0

    def result(self, name, ok, why=""):
        print(f"test {name} ... " + ("ok" if ok else f"FAIL {why}"), flush=True)
        self.passed += bool(ok)
        self.failed += not ok

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)
