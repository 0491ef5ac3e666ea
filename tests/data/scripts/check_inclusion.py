#!/usr/bin/env python3
"""Checks, without dutyledger code, that every entry an investigation report cites is in the
tree of the checkpoint the report quotes: the leaf hash the report gives for it, the bundle's
inclusion proof for it (proofs.json, ledger/FORMAT.md §9.3), and RFC 9162 §2.1.3.2 verification
against the root in the report's checkpoint. SHA-256 ledgers only.

usage: check_inclusion.py REPORT.json BUNDLE/proofs.json   (prints the number of entries checked)
"""
import base64
import hashlib
import json
import sys


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(index, size, leaf, proof, root):
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


report = json.load(open(sys.argv[1]))
proofs = json.load(open(sys.argv[2]))
lines = report["checkpoint"].split("\n")
size, root = int(lines[1]), base64.b64decode(lines[2])
assert int(proofs["treeSize"]) == size, "bundle tree size differs from the report's checkpoint"
assert base64.b64decode(proofs["root"]) == root, "bundle root differs from the report's checkpoint"
inclusion = {int(p["leafIdx"]): p for p in proofs["inclusion"]}
leaves = {}
for q in report["questions"]:
    for f in q.get("findings", []):
        for e in f.get("evidence", []):
            leaves[int(e["sequence"])] = base64.b64decode(e["leafHash"])
cited = [int(s) for s in report["evidenceSequences"]]
assert cited, "the report cites nothing"
for s in cited:
    p = inclusion[s]
    assert base64.b64decode(p["leafHash"]) == leaves[s], f"entry {s}: leaf hash differs"
    proof = [base64.b64decode(x) for x in p["proof"]]
    assert verify_inclusion(s, size, leaves[s], proof, root), f"entry {s}: proof does not verify"
print(len(cited))
