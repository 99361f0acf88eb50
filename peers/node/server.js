// server.js - Node's http module serving the lab's /hello (the same status,
// type and body bytes as bench/http.c): one process, one event loop, the
// server a Node user would write. Prints our listening line, stops cleanly
// on SIGTERM or SIGINT.
'use strict';
const http = require('http');
const { parse } = require('./lib');

const usage = 'usage: server [--port N] [--addr A] [--cpus LIST] [--timeout S]\n' +
  'Node http answering GET /hello with "hello\\n", as the lab\'s servers do.\n';
const o = parse('server', usage, { '--port': 'int', '--addr': 'str' }, { port: 0, addr: '127.0.0.1', timeout: 0 });
const body = Buffer.from('hello\n');
const srv = http.createServer((req, res) => {
  if (req.url === '/hello') {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
    res.end(body);
  } else {
    res.writeHead(404, { 'Content-Type': 'text/plain', 'Content-Length': 10 });
    res.end('not found\n');
  }
});
srv.keepAliveTimeout = 0; // idle keep-alive connections stay, as ours do
srv.headersTimeout = 0;
srv.requestTimeout = 0;
srv.on('error', (e) => {
  process.stderr.write(`server: ${e.message}\n`);
  process.exit(1);
});
srv.listen(o.port, o.addr, () => {
  process.stdout.write(`listening on ${o.addr}:${srv.address().port} model=node variant=http workers=1\n`);
});
const stop = () => {
  srv.close(() => process.exit(0));
  srv.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
