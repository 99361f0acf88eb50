"""server.py - an asyncio streams server answering the lab's /hello (the
same status, type and body bytes as bench/http.c): one process, one event
loop, a coroutine per connection, what an asyncio user would write without
a framework. Prints our listening line, stops cleanly on SIGTERM or SIGINT."""
import asyncio
import signal
import sys

import peerlib

USAGE = ("usage: server [--port N] [--addr A] [--cpus LIST] [--timeout S]\n"
         "asyncio streams answering GET /hello with \"hello\\n\", as the lab's servers do.\n")
HELLO = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nhello\n"
MISSING = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nnot found\n"


async def serve_conn(reader, writer):
    """Answers every request head on the connection in order until EOF."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            path = head.split(b" ", 2)[1] if head.count(b" ") >= 2 else b""
            writer.write(HELLO if path == b"/hello" else MISSING)
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(opts):
    srv = await asyncio.start_server(serve_conn, opts["addr"], opts["port"], backlog=4096)
    port = srv.sockets[0].getsockname()[1]
    sys.stdout.write(f"listening on {opts['addr']}:{port} model=python variant=asyncio workers=1\n")
    sys.stdout.flush()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    srv.close()


if __name__ == "__main__":
    o = peerlib.parse("server", USAGE, {"--port": int, "--addr": str},
                      {"port": 0, "addr": "127.0.0.1", "timeout": 0})
    asyncio.run(main(o))
