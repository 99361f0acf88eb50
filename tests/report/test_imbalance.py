"""The unlucky worker: imbalance rows and the traced runs."""
from support import ReportTestCase
from sections import imbalance


class ImbalanceTest(ReportTestCase):
    def test_rows_present_give_the_table_and_figures(self):
        res = self.fixture_results("report", {"imbalance"})
        text = imbalance.render(res)
        self.assertIn("| tasks | sharded | 0+1 | 184.0 ms (156.3 ms – 188.1 ms) | 70.0 ms | 2.63 | 56.1 / 181.4"
                      " | 32 / 32 | 64 of 64 |", text)
        self.assert_all_in(text,
                           "](imbalance.png)",
                           "](imbalance-workers.png)",
                           "On this machine tasks/sharded took 184.0 ms, 2.63 times the ideal 70.0 ms;")
        self.assertIn("\"tasks/sharded\" 56.086 181.412 183.964 70\n",
                      (res.dir / "plotdata" / "imbalance.dat").read_text())

    def test_rows_absent_give_nothing(self):
        self.assertEqual(imbalance.render(self.fixture_results("report", {"lag"})), "")
