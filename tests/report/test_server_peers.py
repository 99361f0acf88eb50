"""The peers beside ours, system calls per request and C100K: server rows."""
from support import ReportTestCase
from sections import server_peers


class ServerPeersTest(ReportTestCase):
    def test_rows_present_give_the_three_tables(self):
        text = server_peers.render(self.fixture_results("server-peers"))
        self.assert_all_in(text,
                           "### Beside what users would pick instead",
                           "| nginx/2-workers@0+1 | 140000 | 120000 | 0 |",
                           "| tasks/stealing@0+1 | 110000 | 88000 | 3 |",
                           "at C = 100, tasks/sharded answered 0.86 times nginx's requests/s (target: at least 1)",
                           "at C = 1000, tasks/stealing answered 0.73 times nginx's requests/s (target: at least 0.9)",
                           "at C = 1000, tasks/sharded answered 1.58 times threads/per-conn (target: at least 1.5)",
                           "wrk reported errors against tasks/stealing@0+1 (target: none)",
                           "### System calls per keep-alive request",
                           "| server | requests | read | write | epoll_wait | other | total |",
                           "| tasks/sharded@0+1 | 3000 | 1.03 | 1.00 | 0.40 | - | 2.07 |",
                           "| threads/per-conn@0+1 | 3000 | 1.00 | 1.00 | - | - | 2.00 |",
                           "### Toward C100K: idle connections",
                           "| tasks/sharded@0+1 | 19000 | 1.4 KiB | 600 B | 6.10 s | 100000 (fds) |",
                           "| threads/per-conn@0+1 | 10000 | 11.7 KiB | - | 4.00 s | 100000 (memory cap) |")

    def test_no_peer_rows_no_peer_table(self):
        res = self.fixture_results("server-peers")
        res.all_rows = [row for row in res.all_rows if row.model not in server_peers.PEERS]
        text = server_peers.render(res)
        self.assertNotIn("### Beside what users would pick instead", text)
        self.assertIn("### System calls per keep-alive request", text)

    def test_rows_absent_give_nothing(self):
        self.assertEqual(server_peers.render(self.fixture_results("report")), "")
