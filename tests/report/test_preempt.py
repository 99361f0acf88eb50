"""Preemption in libyl: preempt rows and the preemptive lag rows."""
from support import ReportTestCase
from sections import preempt

ROWS = """preempt,tasks,q1000us,-,500,ns_per_preempt,9173.7,ns,8500,25000,3
preempt,tasks,q1000us,-,500,ns_per_preempt_min,8232.3,ns,8200,8500,3
preempt,tasks,yield,-,200,ns_per_switch,10.0,ns,9,12,3
preempt,tasks,yield,-,200,ns_per_switch_min,0.4,ns,0.3,0.5,3
preempt,threads,kernel,0,2000,ns_per_preempt,18288438,ns,9000000,20000000,3
preempt,threads,kernel,0,2000,ns_per_preempt_min,11497.2,ns,11000,12000,3
preempt,tasks,q1000us,-,5,cpu_ms,402.0,ms,402,402,1
preempt,tasks,q1000us,-,5,slowdown_pct,0.5,%,0.5,0.5,1
preempt,tasks,off,-,5,cpu_ms,400.0,ms,400,400,1
lag,tasks,single,0,300,lateness_p99_ms,49.0,ms,49,49,3
lag,tasks,single-q1000us,0,300,lateness_p50_ms,0.53,ms,0.5,0.6,3
lag,tasks,single-q1000us,0,300,lateness_p99_ms,2.79,ms,2.5,3,3
lag,tasks,single-q1000us,0,300,lateness_max_ms,4.17,ms,4,4.2,3
"""


class PreemptTest(ReportTestCase):
    def test_rows_present_give_the_tables_and_figure(self):
        text = preempt.render(self.csv_results(ROWS))
        self.assert_all_in(text, "## Preemption in libyl", "| yield (tasks) |",
                           "| preemption (tasks, libyl's signal) | 9.2 µs",
                           "| involuntary switch (threads, the kernel) |",
                           "| 1.0 ms | 402.0 ms | +0.50 % |", "| tasks, Q = 1.0 ms | 530.0 µs", "](preempt.png)",
                           "preempt_count")

    def test_rows_absent_give_nothing(self):
        self.assertEqual(preempt.render(self.csv_results(
            "lag,tasks,single,0,300,lateness_p99_ms,49.0,ms,49,49,3\n")), "")
