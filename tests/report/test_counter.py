"""The lost update and who gets the lock next: counter rows."""
from support import ReportTestCase
from sections import counter


class CounterTest(ReportTestCase):
    def test_rows_present_give_both_tables_and_figures(self):
        res = self.fixture_results("report", {"counter"})
        text = counter.render(res)
        self.assert_all_in(text,
                           "| threads | none | 1000 | - | - | 731 | 269 (265 – 305) |",
                           "](counter-lost.png)",
                           "### Who gets the lock next",
                           "](counter-wait.png)")
        wait = (res.dir / "plotdata" / "counter-wait.dat").read_text().splitlines()
        self.assertEqual([line.split('"')[1] for line in wait[1:]], ["FIFO (lock)", "LIFO (lifo-lock)"])

    def test_no_wait_rows_no_lock_part(self):
        text = counter.render(self.csv_results("counter,threads,none,-,100,lost,40,count,40,40,1\n"
                                               "counter,threads,none,-,100,expected,100,count,100,100,1\n"))
        self.assertIn("| threads | none | 100 | - | - | - | 40 | - |", text)
        self.assertNotIn("Who gets the lock next", text)

    def test_rows_absent_give_nothing(self):
        self.assertEqual(counter.render(self.fixture_results("report", {"spawn"})), "")
