#!/usr/bin/env bash
# Regenerates the seed corpora in tests/fuzz/corpus/ from a small real ledger (built dutyledger,
# the capnp tool and python3). The checked-in seeds came from this script; findings go to
# tests/fuzz/regressions/<harness>/ instead (scripts/fuzz.sh says where).
#   tests/fuzz/make_seeds.sh [path/to/dutyledger]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${1:-$root/build/tools/dutyledger/dutyledger}"
out="$root/tests/fuzz/corpus"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

"$bin" keygen --out root >/dev/null
"$bin" keygen --out w >/dev/null
"$bin" init --data l --origin fuzz.example/log --authority-key root.key >/dev/null
cat > ev.jsonl <<'JSONL'
{"occurredAt": "2017-02-27T09:00:00+08:00", "note": {"text": "ok"}}
{"occurredAt": "2017-02-27T10:00:00.5-03:30", "note": {"text": "second \u00e9 \"quoted\""}}
JSONL
"$bin" append --data l --key root.key --file ev.jsonl >/dev/null
"$bin" checkpoint --data l > cp.txt
"$bin" cosign --key w.key --name w.example/1 --checkpoint cp.txt --data l > cosig.txt
"$bin" cosign --key w.key --name w.example/1 --print-vkey > w.vkey
"$bin" export --data l --out full >/dev/null
"$bin" export --data l --out part --seqs 2 >/dev/null
"$bin" show --data l 0..2 --json > entries.jsonl
"$bin" proof consistency --data l --old 1 --json > consistency.json

rm -rf "$out"
mkdir -p "$out"/{entry,event_json,wire,note,bundle_json,bundle}
python3 - "$root" "$out" <<'PY'
import json, os, struct, subprocess, sys
root, out = sys.argv[1], sys.argv[2]
def put(harness, name, data):
    with open(os.path.join(out, harness, name), 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode())

# entry: the canonical Entry bytes (entries.bin is stream framing: drop each segment table).
raw = open('full/entries.bin', 'rb').read()
i = n = 0
while i < len(raw):
    segs = struct.unpack_from('<I', raw, i)[0] + 1
    sizes = struct.unpack_from('<%dI' % segs, raw, i + 4)
    table = 4 + 4 * segs
    table += table % 8
    assert segs == 1
    put('entry', 'entry-%d' % n, raw[i + table:i + table + sizes[0] * 8])
    i += table + sizes[0] * 8
    n += 1

# event_json: the bodies as show --json prints them, and the lines append read.
for k, line in enumerate(open('entries.jsonl')):
    put('event_json', 'shown-%d' % k, json.dumps(json.loads(line)['body']))
for k, line in enumerate(open('ev.jsonl')):
    put('event_json', 'appended-%d' % k, line.strip())

# wire: frames (stream framing) made by the capnp tool from text. First byte: 0 request,
# 1 response, 2 tile path; 0x80 adds small limits.
def frame(kind, text):
    return subprocess.run(['capnp', 'convert', 'text:binary', '-I/usr/include', '--import-path=' + root,
                           os.path.join(root, 'net/protocol.capnp'), kind],
                          input=text.encode(), capture_output=True, check=True).stdout
ev = json.loads(open('entries.jsonl').readline())
requests = {
    'hello': '(id = 1, hello = void)',
    'append': '(id = 2, append = (events = [(body = 0x"00 01 02 03 04 05 06 07", signature = 0x"aa bb")]))',
    'read': '(id = 3, readEntries = (begin = 0, count = 10))',
    'checkpoint': '(id = 4, checkpoint = (size = 0, sign = true))',
    'inclusion': '(id = 5, inclusionProof = (sequence = 1, treeSize = 3))',
    'consistency': '(id = 6, consistencyProof = (size1 = 1, size2 = 3))',
    'query': '(id = 7, query = (name = "show", params = [(key = "range", value = "0..2"), (key = "json", value = "true")]))',
    'subscribe': '(id = 8, subscribe = (from = 0))',
    'cancel': '(id = 9, cancel = 8)',
}
for name, text in requests.items():
    put('wire', 'request-' + name, b'\x00' + frame('Request', text))
digest = '0x"' + ' '.join(['11'] * 32) + '"'
entry0 = open(os.path.join(out, 'entry', 'entry-1'), 'rb').read()
entry_hex = '0x"' + entry0.hex() + '"'
cp = open('cp.txt').read().replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')
responses = {
    'error': '(id = 1, error = (code = invalidArgument, message = "bad", failedIndex = 2, hasFailedIndex = true))',
    'hello': '(id = 1, hello = (protocolVersion = 1, origin = "fuzz.example/log", size = 3, hashAlgorithm = "sha256", logVerifierKey = "x+01020304+AAAA", maxFrameBytes = 4194304))',
    'append': '(id = 2, append = [(sequence = 3, leafHash = %s, duplicate = false)])' % digest,
    'entries': '(id = 3, entries = (begin = 1, entries = [%s]))' % entry_hex,
    'checkpoint': '(id = 4, checkpoint = "%s")' % cp,
    'inclusion': '(id = 5, inclusionProof = (leafIndex = 1, treeSize = 3, leafHash = %s, root = %s, proof = [%s, %s]))' % ((digest,) * 4),
    'consistency': '(id = 6, consistencyProof = (size1 = 1, size2 = 3, root1 = %s, root2 = %s, proof = [%s]))' % ((digest,) * 3),
    'query': '(id = 7, final = false, query = (exitCode = 0, output = "entry 0\\n", error = ""))',
    'subscription': '(id = 8, subscription = (size = 3, entries = (begin = 1, entries = [%s]), checkpoint = "%s"))' % (entry_hex, cp),
}
for name, text in responses.items():
    put('wire', 'response-' + name, b'\x01' + frame('Response', text))
for k, p in enumerate(['tile/0/000', 'tile/1/x001/234.p/7', 'tile/entries/000.p/3']):
    put('wire', 'tile-%d' % k, b'\x02' + p.encode())
put('wire', 'request-hello-small-limits', b'\x80' + frame('Request', requests['hello']))

# note: first byte 0 signed note, 1 checkpoint body, 2 cosignature line, 3 verifier key,
# 4 policy, 5 PEM public key.
cp_text = open('cp.txt').read()
cosig = open('cosig.txt').read().strip()
put('note', 'checkpoint', b'\x00' + cp_text.encode())
put('note', 'cosigned', b'\x00' + (cp_text + cosig + '\n').encode())
put('note', 'torchwood', b'\x00' + open(os.path.join(root, 'tests/audit/data/torchwood-cosigned.txt'), 'rb').read())
put('note', 'body', b'\x01' + cp_text.split('\n\n')[0].encode() + b'\n')
put('note', 'cosignature-line', b'\x02' + cosig.encode())
put('note', 'vkey-witness', b'\x03' + open('w.vkey').read().strip().encode())
put('note', 'policy-torchwood', b'\x04' + open(os.path.join(root, 'tests/audit/data/torchwood-policy.txt'), 'rb').read())
put('note', 'policy-own', b'\x04' + ('witness w ' + open('w.vkey').read().strip() + '\ngroup g 1 w\nquorum g\n').encode())
put('note', 'pem', b'\x05' + open('root.pub', 'rb').read())

# bundle_json: the bundle's JSON files and a proof as the CLI prints it.
for b in ('full', 'part'):
    for f in ('keys.json', 'proofs.json'):
        put('bundle_json', b + '-' + f, open(os.path.join(b, f), 'rb').read())
put('bundle_json', 'consistency', open('consistency.json', 'rb').read())

# bundle: the five files joined by the harness's separator.
sep = b'\n==> next bundle file <==\n'
for b in ('full', 'part'):
    parts = [open(os.path.join(b, f), 'rb').read() for f in
             ('checkpoint', 'log-key.pub', 'proofs.json', 'keys.json', 'entries.bin')]
    put('bundle', b, sep.join(parts))
PY
find "$out" -type f | wc -l
