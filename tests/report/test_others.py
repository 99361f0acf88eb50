"""Other results: the raw rows of experiments with no section."""
from support import ReportTestCase
from sections import others


class OthersTest(ReportTestCase):
    def test_rows_of_no_section_are_listed_as_measured(self):
        text = others.render(self.fixture_results("report"))
        self.assertIn("| fake | threads | futex | 0 | 1000 | ns_per_switch | 40 |", text)
        self.assertNotIn("| counter |", text)

    def test_a_programs_own_csv_has_a_range_of_one_value(self):
        text = others.render(self.csv_results("fake,procs,flock,-,500,final,500,count,500,500,1\n"))
        self.assertIn("| fake | procs | flock | - | 500 | final | 500 | 500 – 500 | count |", text)

    def test_only_own_rows_give_nothing(self):
        self.assertEqual(others.render(self.fixture_results("report", {"spawn", "counter"})), "")
