"""support - what the report's tests share: plots/ on the import path, and
scratch results folders made from a fixture or from CSV text (removed
when the test ends)."""
import pathlib
import shutil
import sys
import tempfile
import unittest

TREE = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = TREE / "tests" / "fixtures"
sys.path.insert(0, str(TREE / "plots"))

from reportlib import HEADER, Results  # noqa: E402

CSV_HEADER = ",".join(HEADER) + ",min,max,reps\n"


class ReportTestCase(unittest.TestCase):
    """A TestCase that builds Results in scratch folders of its own."""

    def scratch_folder(self) -> pathlib.Path:
        folder = pathlib.Path(tempfile.mkdtemp(prefix="yl-report-test-"))
        self.addCleanup(shutil.rmtree, folder, ignore_errors=True)
        return folder

    def fixture_results(self, name: str, keep_experiments=None) -> Results:
        """Results of a copy of tests/fixtures/NAME; with keep_experiments,
        only the rows of those experiments stay in its data.csv."""
        folder = self.scratch_folder()
        shutil.copytree(FIXTURES / name, folder, dirs_exist_ok=True)
        if keep_experiments is not None:
            data_csv = folder / "data.csv"
            lines = data_csv.read_text(encoding="utf-8").splitlines(keepends=True)
            kept = [line for line in lines[1:] if line.split(",", 1)[0] in keep_experiments]
            data_csv.write_text(lines[0] + "".join(kept), encoding="utf-8")
        return Results.load(folder)

    def csv_results(self, rows_text: str, env_text: str = "") -> Results:
        """Results of a folder whose data.csv is the header and rows_text."""
        folder = self.scratch_folder()
        (folder / "data.csv").write_text(CSV_HEADER + rows_text, encoding="utf-8")
        if env_text:
            (folder / "env.txt").write_text(env_text, encoding="utf-8")
        return Results.load(folder)

    def assert_all_in(self, text: str, *parts: str):
        """Each part is somewhere in text."""
        for part in parts:
            self.assertIn(part, text)
