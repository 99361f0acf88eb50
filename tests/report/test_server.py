"""One HTTP server, three models: server rows, part by part."""
from support import ReportTestCase
from sections import server


class ServerTest(ReportTestCase):
    def test_rows_present_give_every_part(self):
        text = server.render(self.fixture_results("server-report"))
        for title in ("### Throughput and latency of /hello", "### Memory per idle connection",
                      "### The unlucky worker, with real requests", "### /sleep: many connections waiting at once"):
            self.assert_all_in(text,
                               title,
                               "(cpus 0 and 1, written `0+1`)",
                               "| tasks | stealing | 0+1 | 8.3 KiB",
                               "(both sides, up to C = 10000)",
                               "| 5.3 KiB | 1.0 KiB |",
                               "against a target of at most 1/3",
                               "the target is at least 1 for tasks")

    def test_only_the_parts_whose_rows_are_there(self):
        res = self.fixture_results("server-report")
        kept = [row for row in res.all_rows if row.metric.startswith(("light_", "heavy_", "mix_"))]
        res.all_rows = kept
        text = server.render(res)
        self.assertIn("### The unlucky worker, with real requests", text)
        self.assertNotIn("### Throughput", text)
        self.assertNotIn("### Memory per idle", text)

    def test_rows_absent_give_nothing(self):
        self.assertEqual(server.render(self.fixture_results("report")), "")
