"""A CPU hog next to a ticker: lag rows and the traced task runs."""
from support import ReportTestCase
from sections import lag


class LagTest(ReportTestCase):
    def test_rows_present_give_the_table_and_figures(self):
        res = self.fixture_results("report", {"lag"})
        text = lag.render(res)
        self.assert_all_in(text,
                           "| tasks | single | 0 | 1 | 24.1 ms | 49.0 ms | 49.1 ms |",
                           "| threads | preemptive | 0 | 2 (threads) |",
                           "](lag.png)",
                           "](timeline-lag-single.png)",
                           "](timeline-lag-stealing.png)",
                           "On this machine, on one core: tasks p50 24.08 ms and max 49.1 ms;")

    def test_rows_absent_give_nothing(self):
        self.assertEqual(lag.render(self.fixture_results("report", {"imbalance"})), "")
