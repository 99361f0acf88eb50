"""The summary: the switch table (pingpong) and the unit table (spawn)."""
from support import ReportTestCase
from sections import summary


class SummaryTest(ReportTestCase):
    def test_rows_present_give_both_tables(self):
        text = summary.render(self.fixture_results("report", {"pingpong", "spawn"}))
        self.assert_all_in(text,
                           "| model | variant | one core | two cores | not pinned | one core, net |",
                           "| threads | futex | 1.4 µs",
                           "| threads | default | 8.3 KiB")

    def test_no_unpinned_run_no_column(self):
        text = summary.render(self.csv_results("pingpong,tasks,raw,0,1000,ns_per_switch,6.2,ns,6.1,7.5,5\n"))
        self.assertIn("| model | variant | one core | two cores | one core, net |\n", text)
        self.assertIn("| tasks | raw | 6.2 ns (6.1 ns – 7.5 ns) | - | - |\n", text)

    def test_rows_absent_give_nothing(self):
        self.assertEqual(summary.render(self.fixture_results("report", {"counter"})), "")
