"""Where a yield's time goes: yieldparts rows as a figure and a sentence."""
from support import ReportTestCase
from sections import yieldparts

PARTS = "".join(f"yieldparts,tasks,stamped,0,100000,ns_{part},{ns},ns,{ns},{ns},3\n" for part, ns in
                [("switch_out", 5), ("loop", 4), ("queue", 3), ("check", 1), ("switch_in", 6),
                 ("total", 21), ("stamp", 9)])


class YieldpartsTest(ReportTestCase):
    def test_rows_present_give_the_figure_and_the_parts(self):
        res = self.csv_results(PARTS + "pingpong,tasks,raw,0,1000,ns_per_switch,6.2,ns,6.1,7.5,5\n")
        text = yieldparts.render(res)
        self.assertIn("### Where a yield's time goes\n\n![one yl_yield", text)
        self.assertIn("Measured: switch out 5.0 ns, loop 4.0 ns, queue 3.0 ns, check 1.0 ns, switch in 6.0 ns"
                      " (21 ns in all; one stamp cost 9.0 ns).", text)
        self.assertEqual((res.dir / "plotdata" / "yieldparts.dat").read_text(),
                         "# label switch_out loop queue check switch_in\n\"tasks/stamped cpus 0\" 5 4 3 1 6\n"
                         "\"2 bare switches (pingpong raw)\" 6.2 0 0 0 6.2\n")

    def test_rows_absent_give_nothing(self):
        self.assertEqual(yieldparts.render(self.fixture_results("report")), "")
