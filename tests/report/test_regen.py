"""Regenerating: the commands that redraw the report and measure again."""
from support import ReportTestCase
from sections import regen


class RegenTest(ReportTestCase):
    def test_names_the_folder_and_the_profile(self):
        res = self.fixture_results("report")
        text = regen.render(res)
        self.assertIn(f"`make report RESULTS={res.rdir}`", text)
        self.assertIn("`make bench PROFILE=quick`", text)
