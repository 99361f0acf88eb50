"""The languages side by side: the peers' rows next to ours."""
from support import ReportTestCase
from sections import peers


class PeersTest(ReportTestCase):
    def test_rows_present_give_the_table_and_figures(self):
        res = self.fixture_results("peers")
        text = peers.render(res)
        self.assertIn("- go: not installed, `make deps` installs golang-go\n", text)
        self.assertIn("| JavaScript (Node.js), v20.20.2 |", text)
        self.assertIn("| 183 ns (promise) | 956 B (promise, N ≤ 100000) | the article's | eager: Hello printed"
                      " | none 999 of 1000; lock 0 of 1000 |", text)
        self.assert_all_in(text,
                           "| yield 24 ns; raw 6.2 ns | 96 B (stackless, N ≤ 100000) | the article's |",
                           "is below the cheapest peer switch (node/promise, 183 ns)",
                           "](peers-switch.png)",
                           "](peers-memory.png)")
        switches = (res.dir / "plotdata" / "peers-switch.dat").read_text()
        self.assertLess(switches.index('"tasks/raw"'), switches.index('"python/event"'))

    def test_rows_absent_give_nothing(self):
        self.assertEqual(peers.render(self.fixture_results("report")), "")
