"""The machine: env.txt as a table, and the virtual machine note."""
from support import ReportTestCase
from sections import machine


class MachineTest(ReportTestCase):
    def test_env_txt_gives_the_table(self):
        text = machine.render(self.fixture_results("report"))
        self.assertIn("| | |\n| --- | --- |\n| cpu_model | AMD EPYC |\n", text)
        self.assertIn("inside a virtual machine (KVM)", text)

    def test_no_env_txt_gives_nothing(self):
        self.assertEqual(machine.render(self.csv_results("")), "")
