// llhttp.js VERDICT CORPUS_DIR DECISIONS - the differential check of our
// HTTP parser (bench/http.c, through the http-verdict program) against
// Node's (llhttp, through the http module), over every file of the corpus
// sent as is on one connection to 127.0.0.1.
//
// Rules: a request Node refuses, we refuse; a request both accept is routed
// the same (Node's method and URL through our route table below). Any
// other difference is a disagreement that must be decided, one line in
// DECISIONS: "FILE: why". Exit 1 when a disagreement is undecided or a
// decision names a file that agrees (stale), 2 on usage.
'use strict';
const http = require('http');
const net = require('net');
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

if (process.argv.length !== 5) {
    console.error('usage: node llhttp.js VERDICT CORPUS_DIR DECISIONS');
    process.exit(2);
}
const [verdictBin, corpus, decisionsFile] = process.argv.slice(2);
const files = fs.readdirSync(corpus).filter((f) => fs.statSync(path.join(corpus, f)).isFile()).sort();

// Ours: one line per request, as http-verdict prints them.
const ours = new Map(files.map((f) => [f, []]));
const out = execFileSync(verdictBin, files.map((f) => path.join(corpus, f)), { encoding: 'latin1' });
for (const line of out.split('\n').filter(Boolean)) {
    const [file, kind, a, b] = line.split('\t');
    ours.get(path.basename(file)).push(kind === 'accept' ? `accept ${a} ${b}` : kind);
}

// Our route table (bench/http.h), applied to what Node parsed.
function route(method, url) {
    if (method !== 'GET') return 'refuse'; // 405
    const q = url.indexOf('?');
    const p = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q + 1);
    const num = (key, max) => {
        const m = new RegExp(`^${key}=([0-9]+)$`).exec(query);
        return m && Number(m[1]) <= max ? m[1].replace(/^0+(?=.)/, '') : null;
    };
    if (p === '/hello') return 'accept hello 0';
    if (p === '/work') return num('us', 10000000) !== null ? `accept work ${num('us', 10000000)}` : 'refuse';
    if (p === '/sleep') return num('ms', 60000) !== null ? `accept sleep ${num('ms', 60000)}` : 'refuse';
    return 'accept notfound 0';
}

const theirs = new Map(); // client port -> verdict list
// Node's server layer (not llhttp) answers an HTTP/1.1 request without a
// Host header with 400 by itself; our lab server does not ask for Host
// (RFC 9112 wants it refused, but no route of ours depends on it), so that
// policy is switched off to compare the parsers themselves.
const server = http.createServer({ requireHostHeader: false }, (req, res) => {
    const v = theirs.get(req.socket.remotePort);
    if (v) v.push(route(req.method, req.url));
    req.resume();
    res.end('ok\n');
});
server.on('clientError', (err, socket) => {
    const v = theirs.get(socket.remotePort);
    if (v) v.push('refuse');
    socket.destroy();
});

// One file on one connection: done when Node closes it, or after 300 ms
// of silence (a request it still waits for the rest of).
function send(file) {
    return new Promise((resolve) => {
        const v = [];
        const c = net.connect(server.address().port, '127.0.0.1');
        let idle;
        const finish = () => {
            clearTimeout(idle);
            c.destroy();
            // A request Node never finished is an incomplete one.
            resolve(v);
        };
        const arm = () => {
            clearTimeout(idle);
            idle = setTimeout(() => {
                if (!v.length || v[v.length - 1] !== 'refuse') v.push('incomplete?');
                finish();
            }, 300);
        };
        c.on('connect', () => {
            theirs.set(c.localPort, v);
            c.write(fs.readFileSync(path.join(corpus, file)));
            arm();
        });
        // A refusal by Node's own code (not our handler's 200) is a
        // status other than 200 on the wire.
        let got = '';
        c.on('data', (b) => {
            got += b.toString('latin1');
            for (const m of got.matchAll(/HTTP\/1\.[01] (\d{3})/g))
                if (m[1] !== '200' && v[v.length - 1] !== 'refuse') v.push('refuse');
            arm();
        });
        c.on('error', () => {});
        c.on('close', finish);
    });
}

function normalise(list) {
    // Node answers requests after a refusal of ours too; compare up to our
    // connection's end, and treat "still waiting" like incomplete.
    return list.map((x) => (x === 'incomplete?' ? 'incomplete' : x));
}

server.listen(0, '127.0.0.1', async () => {
    const decisions = new Map();
    for (const line of fs.readFileSync(decisionsFile, 'utf8').split('\n')) {
        const m = /^([^#\s][^:]*):\s*(.+)$/.exec(line);
        if (m) decisions.set(m[1].trim(), m[2].trim());
    }
    let undecided = 0, agreed = 0, decided = 0, stale = 0;
    for (const f of files) {
        let node = normalise(await send(f));
        let mine = ours.get(f);
        // We close after a request without keep-alive: what Node made of
        // the bytes after it is not ours to compare.
        if (mine[mine.length - 1] === 'closed') {
            mine = mine.slice(0, -1);
            node = node.slice(0, mine.length);
        }
        // Node has no "incomplete" once it has answered everything: a
        // trailing partial request shows as silence, which it is for us too.
        if (node.length > mine.length && node[node.length - 1] === 'incomplete' && !mine.includes('incomplete'))
            node = node.slice(0, -1);
        const same = node.length === mine.length && node.every((x, i) => x === mine[i]);
        if (same) {
            agreed++;
            if (decisions.has(f)) {
                console.log(`STALE     ${f}: both parsers agree now; drop its decision`);
                stale++;
            }
            continue;
        }
        const nodeRefuses = node.includes('refuse') && !mine.includes('refuse');
        const kind = nodeRefuses ? 'NODE REFUSES, WE DO NOT' : 'differs';
        const d = decisions.get(f);
        console.log(`${d ? 'decided  ' : 'UNDECIDED'} ${f}: node [${node.join(', ')}] ours [${mine.join(', ')}] (${kind})${d ? `\n          decision: ${d}` : ''}`);
        d ? decided++ : undecided++;
    }
    console.log(`fuzz-diff: ${files.length} inputs: ${agreed} agree, ${decided} differ as decided, ${undecided} undecided, ${stale} stale decisions`);
    server.close();
    process.exit(undecided || stale ? 1 : 0);
});
