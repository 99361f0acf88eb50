"""Host and guest side by side: a guest run next to the host run beside it."""
import shutil

from support import FIXTURES, ReportTestCase
from reportlib import Results
from sections import vm


class VmTest(ReportTestCase):
    def runs(self):
        top = self.scratch_folder()
        host, guest = top / "20260101T000000Z-host", top / "20260101T010000Z-vm1"
        shutil.copytree(FIXTURES / "report", host)
        shutil.copytree(FIXTURES / "report", guest)
        env = (guest / "env.txt").read_text().replace("where: host", "where: vm1")
        (guest / "env.txt").write_text(env + "vm_vcpus: 1\nvm_accel: tcg\n")
        return host, guest

    def test_a_guest_is_compared_with_the_host(self):
        host, guest = self.runs()
        text = vm.render(Results.load(guest))
        self.assertIn("the host run `20260101T000000Z-host` with the guest run `20260101T010000Z-vm1`"
                      " (vm1, 1 vCPU, accelerator tcg)", text)
        self.assertIn("| threads | futex | 1.4 µs | 1.4 µs | 1.0× |", text)
        self.assertIn("| tasks | stackless | 96 B | 96 B | 2 B | 2 B | 40 ns | 40 ns |", text)
        self.assertTrue((guest / "hostvm.png").is_file())

    def test_no_counterpart_gives_nothing(self):
        host, guest = self.runs()
        shutil.rmtree(host)
        self.assertEqual(vm.render(Results.load(guest)), "")
