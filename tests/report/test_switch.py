"""The cost of a switch: figure, comparisons, the scheduler's ratios."""
from support import ReportTestCase
from sections import switch


class SwitchTest(ReportTestCase):
    def test_rows_present_give_the_figure_and_the_comparisons(self):
        res = self.fixture_results("report", {"pingpong"})
        text = switch.render(res)
        self.assert_all_in(text,
                           "](switch.png)",
                           "floor=6.2\" plots/switch.gp`",
                           "took 1.4 µs, 234 times the raw task switch (6.2 ns)",
                           "took 24 ns, 3.95 times the bare switch (6.2 ns). Ratios of the medians")
        data = (res.dir / "plotdata" / "switch.dat").read_text()
        self.assertIn("\nthreads/futex 1450 1379.61 1497.101 4200 4147.115 4261.523\n", data)

    def test_paired_ratios_are_said_to_be(self):
        text = switch.render(self.csv_results(
            "pingpong,tasks,raw,0,1000,ns_per_switch,6,ns,6,6,5\n"
            "pingpong,tasks,yield,0,1000,ns_per_switch,24,ns,24,24,5\n"
            "pingpong,tasks,yield,0,1000,per_raw_switch,3.9,ratio,3.9,3.9,5\n"))
        self.assertIn("3.90 times the bare switch (6.0 ns). Each ratio is the median over the runs", text)

    def test_rows_absent_give_nothing(self):
        self.assertEqual(switch.render(self.fixture_results("report", {"spawn"})), "")
