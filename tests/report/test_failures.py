"""The experiments that failed, from failures.txt."""
from support import ReportTestCase
from sections import failures


class FailuresTest(ReportTestCase):
    def test_failures_txt_gives_the_table(self):
        res = self.csv_results("")
        (res.dir / "failures.txt").write_text("lag\t12\tyl-lag --hog 5\texited 1\n")
        self.assertIn("| lag | 12 | `yl-lag --hog 5` | exited 1 |", failures.render(res))

    def test_no_failures_txt_gives_nothing(self):
        self.assertEqual(failures.render(self.csv_results("")), "")
