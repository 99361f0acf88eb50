"""The header: the profile and machine from env.txt, "?" without it."""
from support import ReportTestCase
from sections import header


class HeaderTest(ReportTestCase):
    def test_names_the_profile_and_where_it_ran(self):
        text = header.render(self.fixture_results("report"))
        self.assertTrue(text.startswith("# yieldlab report: quick profile on host\n"))
        self.assertIn("Measured 2026-11-27 07:49:51 UTC, 96.4 s of runs.", text)

    def test_without_env_txt_says_it_does_not_know(self):
        self.assertIn("# yieldlab report: ? profile on ?", header.render(self.csv_results("")))
