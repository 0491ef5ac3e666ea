// Signed notes and what is written in them (ledger/checkpoint.h, witness.h, witness_policy.h,
// keys.h): checkpoints, cosignature lines, verifier keys, witness policies and PEM public keys,
// all of which arrive from other parties (a server, a witness, an auditor's files). The first
// byte picks the parser; notes are also checked against a fixed key and policy, so signature
// lines reach the verifiers.
#include "ledger/bytes.h"
#include "ledger/checkpoint.h"
#include "ledger/keys.h"
#include "ledger/witness.h"
#include "ledger/witness_policy.h"
#include "tests/fuzz/fuzz_check.h"

using namespace dutyledger;

namespace {

struct Fixed {
  PublicKey log;
  PublicKey witness;
  WitnessPolicy policy;
};

// A fixed Ed25519 key (RFC 8032 test 1's public key) as SPKI.
const Fixed& Keys() {
  static const Fixed* fixed = [] {
    const char pem[] =
        "-----BEGIN PUBLIC KEY-----\n"
        "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
        "-----END PUBLIC KEY-----\n";
    auto key = PublicKey::FromPem(pem);
    FUZZ_CHECK(key.ok(), key.status().ToString());
    std::string text = "log " + NoteVerifierKey("fuzz.example/log", *key) + "\nwitness w " +
                       NoteVerifierKey("w.example", *key, NoteKeyRole::kCosigner) +
                       "\ngroup g any w\nquorum g\n";
    auto policy = WitnessPolicy::Parse(text);
    FUZZ_CHECK(policy.ok(), policy.status().ToString());
    return new Fixed{*key, *key, *policy};
  }();
  return *fixed;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const Fixed& fixed = Keys();
  std::string_view text = fuzz::AsText(data + 1, size - 1);
  switch (data[0] % 6) {
    case 0: {  // a checkpoint: the note, its body, its signatures
      auto note = ParseSignedNote(text);
      if (!note.ok()) break;
      FUZZ_CHECK(!note->signatures.empty(), "a note has a signature");
      auto again = ParseSignedNote(note->Text());
      FUZZ_CHECK(again.ok(), note->Text() + ": " + again.status().ToString());
      FUZZ_CHECK(again->Text() == note->Text(), note->Text());
      if (auto cp = ParseCheckpointBody(note->body); cp.ok()) {
        auto body = ParseCheckpointBody(cp->Body());
        FUZZ_CHECK(body.ok() && body->Body() == cp->Body(), cp->Body());
      }
      (void)VerifyNoteSignature(*note, "fuzz.example/log", fixed.log);
      (void)VerifyCosignature(*note, "w.example", fixed.witness);
      (void)fixed.policy.Check(*note);
      break;
    }
    case 1:
      if (auto cp = ParseCheckpointBody(text); cp.ok()) {
        FUZZ_CHECK(!cp->origin.empty(), "a checkpoint has an origin");
      }
      break;
    case 2:
      (void)ParseCosignatureLine(text);
      break;
    case 3:
      if (auto vk = ParseVerifierKey(text); vk.ok()) {
        std::string back = NoteVerifierKey(vk->name, vk->key, vk->role);
        auto again = ParseVerifierKey(back);
        FUZZ_CHECK(again.ok() && again->key_id == vk->key_id, back);
      }
      break;
    case 4:
      if (auto policy = WitnessPolicy::Parse(text); policy.ok()) {
        std::string body = Checkpoint{"fuzz.example/log", 1, Digest(), {}}.Body();
        auto note = ParseSignedNote(
            body + "\n" + NoteSignatureLine("fuzz.example/log", 1, Bytes(64, '\0')) + "\n");
        if (note.ok()) (void)policy->Check(*note);
      }
      break;
    default:
      if (auto key = PublicKey::FromPem(text); key.ok()) {
        auto again = PublicKey::FromPem(key->ToPem());
        FUZZ_CHECK(again.ok() && again->id() == key->id(), key->ToPem());
      }
      break;
  }
  return 0;
}
