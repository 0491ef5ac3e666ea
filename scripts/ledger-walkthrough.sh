#!/usr/bin/env bash
# A ledger from scratch in a temporary folder: keys, init, a few signed events, verify,
# a checkpoint and the proofs an auditor would check.
set -euo pipefail
cd "$(dirname "$0")/.."
dl=$PWD/build/tools/dutyledger/dutyledger
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step "$dl" keygen --out root
step "$dl" keygen --out inspector
step "$dl" init --data ./ledger --origin example.gov.cn/park-1 --authority-key root.key \
  --root-principal org:smx-ajj
inspector_spki=$(sed '1d;$d' inspector.pub | tr -d '\n')
cat > keys.jsonl <<JSON
{"occurredAt": "2017-02-27T09:00:00+08:00", "keyBound": {"key": {"algorithm": "ed25519", "spki": "$inspector_spki"}, "principal": "official:smx-ajj/li-ming"}}
JSON
cat > events.jsonl <<'JSON'
{"occurredAt": "2017-02-27T09:00:00+08:00", "note": {"text": "三政办〔2017〕8号 关于加强产业集聚区安全生产工作的通知 received", "documents": [{"docType": "通知", "docNo": "三政办〔2017〕8号", "sha256": "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"}]}}
{"occurredAt": "2017-03-15T10:30:00+08:00", "note": {"text": "现场检查记录: 粉尘涉爆车间 inspected"}}
JSON
step "$dl" append --data ./ledger --key root.key --file keys.jsonl
step "$dl" append --data ./ledger --key inspector.key --file events.jsonl
step "$dl" show --data ./ledger 0..3
step "$dl" verify --data ./ledger
step "$dl" checkpoint --data ./ledger
step "$dl" proof inclusion --data ./ledger --seq 2 --json
step "$dl" proof consistency --data ./ledger --old 1 --json
