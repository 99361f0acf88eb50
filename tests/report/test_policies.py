"""Which unit runs next: sched-LIST rows, predicted beside measured, and
pickcost rows."""
from support import ReportTestCase
from sections import policies

ROWS = """sched-convoy,tasks,fifo,0,3,avg_response_ms,198.3,ms,198.3,198.3,1
sched-convoy,tasks,fifo,0,3,avg_turnaround_ms,311.8,ms,311.8,311.8,1
sched-convoy,predict,tasks-fifo,0,3,avg_response_ms,140,ms,140,140,1
sched-convoy,predict,tasks-fifo,0,3,avg_turnaround_ms,220,ms,220,220,1
sched-convoy,threads,rr,0,3,avg_response_ms,72,ms,72,72,1
sched-convoy,threads,rr,0,3,avg_turnaround_ms,165.3,ms,165.3,165.3,1
sched-convoy,predict,threads-rr-q50,0,3,avg_response_ms,73.3,ms,73.3,73.3,1
sched-convoy,predict,threads-rr-q50,0,3,avg_turnaround_ms,166.7,ms,166.7,166.7,1
sched-convoy,tasks,lottery,0,3,avg_response_ms,27.3,ms,27.3,27.3,1
sched-convoy,tasks,lottery,0,3,avg_turnaround_ms,161.1,ms,161.1,161.1,1
pickcost,tasks,mlfq,-,10,ns_per_pick,5.9,ns,5.9,5.9,1
pickcost,tasks,mlfq,-,100000,ns_per_pick,7,ns,7,7,1
"""


class PoliciesTest(ReportTestCase):
    def test_rows_present_give_the_tables(self):
        text = policies.render(self.csv_results(ROWS, "fair_class: EEVDF (SCHED_OTHER)\n"))
        self.assert_all_in(text,
                           "## Which unit runs next",
                           "### convoy: one long job and two short ones behind it",
                           "| tasks fifo | 140.0 ms | 198.3 ms | 220.0 ms | 311.8 ms |",
                           "| threads rr | 73.3 ms | 72.0 ms | 166.7 ms | 165.3 ms |",
                           "| tasks lottery | - | 27.3 ms | - | 161.1 ms |",
                           "| mlfq | 5.9 ns | 7.0 ns |",
                           "](policies-convoy.png)",
                           "This machine's SCHED_OTHER: EEVDF (SCHED_OTHER).")

    def test_rows_absent_give_nothing(self):
        self.assertEqual(policies.render(self.csv_results(
            "lag,tasks,single,0,300,lateness_p50_ms,24,ms,24,24,1\n")), "")
