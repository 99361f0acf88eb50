"""The report's library: rows read and typed, selected by field, numbers
formatted with their units, tables, figures and the folder's errors."""
import contextlib
import io
import unittest

from support import ReportTestCase
from reportlib import ReportError, Results, figure, fmt, fmt_row, md_table, plural

ROWS = ("pingpong,tasks,raw,0,1000,ns_per_switch,6.2,ns,6.1,7.5,5\n"
        "pingpong,threads,futex,0,1000,ns_per_switch,1400,ns,1380,1400,5\n"
        "spawn,tasks,stack64k,-,100,user_bytes,94200,B,94200,94200,5\n")


class LoadTest(ReportTestCase):
    def test_rows_are_typed_and_selected_by_field(self):
        res = self.csv_results(ROWS, "profile: quick\nwhere: host\n")
        self.assertEqual(len(res.rows()), 3)
        raw = res.rows(experiment="pingpong", model="tasks")[0]
        self.assertEqual((raw.n, raw.value, raw.min, raw.max, raw.reps), (1000, 6.2, 6.1, 7.5, 5))
        self.assertEqual(res.value(experiment="spawn", metric="user_bytes"), 94200.0)
        self.assertIsNone(res.value(experiment="lag"))
        self.assertTrue(res.has(experiment="pingpong", variant="futex"))
        self.assertFalse(res.has(experiment="pingpong", variant="pipe"))
        self.assertEqual(res.env, {"profile": "quick", "where": "host"})

    def test_a_programs_own_csv_has_no_spread(self):
        folder = self.scratch_folder()
        (folder / "data.csv").write_text("experiment,model,variant,cpus,n,metric,value,unit\n"
                                         "fake,procs,flock,-,500,final,500,count\n")
        row = Results.load(folder).rows()[0]
        self.assertEqual((row.min, row.max, row.reps), (500.0, 500.0, 1))

    def test_bad_folders_say_what_is_wrong(self):
        with self.assertRaisesRegex(ReportError, "/nonexistent: no such folder"):
            Results.load("/nonexistent")
        folder = self.scratch_folder()
        with self.assertRaisesRegex(ReportError, "data.csv: not found"):
            Results.load(folder)
        (folder / "data.csv").write_text("not,a,yieldlab,csv\n")
        with self.assertRaisesRegex(ReportError, "bad header"):
            Results.load(folder)

    def test_trace_files_match_a_glob_empty_ones_on_request(self):
        res = self.csv_results(ROWS)
        (res.dir / "trace-sched-b.csv").write_text("x\n")
        (res.dir / "trace-sched-a.csv").write_text("x\n")
        (res.dir / "trace-sched-empty.csv").write_text("")
        self.assertEqual([p.name for p in res.trace_files("trace-sched-*.csv")],
                         ["trace-sched-a.csv", "trace-sched-b.csv", "trace-sched-empty.csv"])
        self.assertEqual([p.name for p in res.trace_files("trace-sched-*.csv", non_empty=True)],
                         ["trace-sched-a.csv", "trace-sched-b.csv"])


class FormatTest(ReportTestCase):
    def test_times_scale(self):
        self.assertEqual([fmt(v, "ns") for v in (6.23, 183, 1400, 2.41e7, 3.5e9)],
                         ["6.2 ns", "183 ns", "1.4 µs", "24.1 ms", "3.50 s"])
        self.assertEqual(fmt(184, "ms"), "184.0 ms")
        self.assertEqual(fmt(0.0046, "ms"), "4.6 µs")

    def test_bytes_scale(self):
        self.assertEqual([fmt(v, "B") for v in (956, 8499, 3 * 1024 ** 2, 5 * 1024 ** 3)],
                         ["956 B", "8.3 KiB", "3.0 MiB", "5.0 GiB"])

    def test_other_units_are_plain_numbers(self):
        self.assertEqual([fmt(v, "count") for v in (1000, 269, 0.98765, 12.345, 1234.5)],
                         ["1000", "269", "0.988", "12.3", "1234"])
        self.assertEqual(fmt(None, "ns"), "-")

    def test_a_row_shows_its_range_only_when_runs_disagree(self):
        res = self.csv_results(ROWS)
        self.assertEqual(fmt_row(res.rows(model="tasks", experiment="pingpong")[0]), "6.2 ns (6.1 ns – 7.5 ns)")
        self.assertEqual(fmt_row(res.rows(variant="futex")[0]), "1.4 µs")
        self.assertEqual(fmt_row(None), "-")

    def test_plural(self):
        self.assertEqual([plural(1, "thread"), plural(3, "thread"), plural(2, "process")],
                         ["1 thread", "3 threads", "2 processes"])

    def test_md_table(self):
        self.assertEqual(md_table(["a", "b"], [["1", "2"]]), "| a | b |\n| --- | --- |\n| 1 | 2 |\n\n")


class FigureTest(ReportTestCase):
    def test_a_figure_is_drawn_and_numbered(self):
        res = self.csv_results(ROWS)
        data = "# model/variant same_ns lo hi cross_ns lo hi\ntasks/raw 6.2 6.1 7.5 ? ? ?\n"
        markdown = figure(res, "switch", data, "the caption.", variables={"floor": 6.2})
        self.assertEqual((res.dir / "plotdata" / "switch.dat").read_text(), data)
        self.assertEqual((res.dir / "switch.png").read_bytes()[:4], b"\x89PNG")
        self.assertIn("![the caption.](switch.png)", markdown)
        self.assertIn("*Figure 1 (`switch.png`)", markdown)
        self.assertIn("floor=6.2\" plots/switch.gp`", markdown)
        self.assertEqual((res.figures_drawn, res.figures_failed), (1, 0))

    def test_a_gnuplot_failure_is_counted_and_said(self):
        res = self.csv_results(ROWS)
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr):
            markdown = figure(res, "nosuchfigure", "1 2\n", "never drawn.")
        self.assertIn("gnuplot failed on nosuchfigure", stderr.getvalue())
        self.assertIn("could not be drawn", markdown)
        self.assertEqual((res.figures_drawn, res.figures_failed), (0, 1))


if __name__ == "__main__":
    unittest.main()
