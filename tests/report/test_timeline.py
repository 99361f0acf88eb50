"""How foo's units were scheduled: timelines from trace-MODEL.csv."""
from support import ReportTestCase
from sections import timeline


class TimelineTest(ReportTestCase):
    def test_traces_present_give_timelines_and_tables(self):
        res = self.fixture_results("report")
        text = timeline.render(res)
        for model in ("tasks", "threads", "procs"):
            self.assert_all_in(text,
                               f"](timeline-{model}.png)",
                               "Here 1 worker on 1 CPU ran every unit",
                               "| main | A | 0.000 ms | 18.9 µs | 0 | 0 |\n",
                               "| line | tasks | threads | procs |\n",
                               "| 4 | bar end | bar end | bar end |\n",
                               "All of them printed the same lines")

    def test_a_timeline_has_a_block_of_units_and_one_of_tasks(self):
        res = self.fixture_results("report")
        drawn = timeline.timeline_data(res.dir / "trace-tasks.csv")
        self.assertEqual(drawn.tasks, ["main", "foo1", "foo2"])
        units, tasks = drawn.data.split("\n\n\n")
        self.assertTrue(units.startswith("0 0.0000 0.0189 0 A\n"))
        self.assertEqual(len(tasks.splitlines()), 3)

    def test_no_traces_give_nothing(self):
        self.assertEqual(timeline.render(self.csv_results("")), "")
