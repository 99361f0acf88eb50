"""Memory per unit: the figure of spawn's bytes over N."""
from support import ReportTestCase
from sections import memory


class MemoryTest(ReportTestCase):
    def test_rows_present_give_the_figure(self):
        res = self.fixture_results("report", {"spawn"})
        text = memory.render(res)
        self.assertIn("## Memory per unit\n\n![bytes per unit", text)
        data = (res.dir / "plotdata" / "memory.dat").read_text()
        self.assertTrue(data.startswith("# tasks/stack64k: N user_B_per_unit kernel_B_per_unit\n1 94200 8060\n"))
        self.assertIn("\n\n\n# tasks/stack16k:", data)

    def test_a_system_limit_is_said(self):
        text = memory.render(self.csv_results("spawn,threads,default,-,10,user_bytes,9000,B,9000,9000,1\n"
                                              "spawn,threads,default,-,10,limit_units,9000,count,9000,9000,1\n"))
        self.assertIn("- threads/default stopped at a system limit after 9000 units", text)

    def test_rows_absent_give_nothing(self):
        self.assertEqual(memory.render(self.fixture_results("report", {"pingpong"})), "")
