#include "ledger/checkpoint.h"

#include <gtest/gtest.h>

#include "ledger/hash.h"
#include "tests/support/test_util.h"

namespace dutyledger {
namespace {

// golang.org/x/mod/sumdb/note's published example (Ed25519 is deterministic): our signed-note
// encoding must reproduce it byte for byte.
TEST(SignedNote, ReproducesTheGoSumdbNoteExample) {
  auto skey = Base64Decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz");
  ASSERT_TRUE(skey && skey->size() == 33 && (*skey)[0] == 0x01);
  auto key = PrivateKey::FromEd25519Seed(skey->substr(1));
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(NoteVerifierKey("PeterNeumann", (*key)->public_key()),
            "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  std::string text =
      "If you think cryptography is the answer to your problem,\n"
      "then you don't know what your problem is.\n";
  auto line = SignNoteLine(text, "PeterNeumann", **key);
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(*line,
            "\xe2\x80\x94 PeterNeumann "
            "x08go/ZJkuBS9UG/"
            "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=");
  auto note = ParseSignedNote(text + "\n" + *line + "\n");
  ASSERT_TRUE(note.ok());
  EXPECT_TRUE(VerifyNoteSignature(*note, "PeterNeumann", (*key)->public_key()).ok());
}

TEST(Checkpoint, BodyRoundTrip) {
  Checkpoint c{"example.gov.cn/park-1", 42, Sha256("root"), {}};
  auto parsed = ParseCheckpointBody(c.Body());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->origin, c.origin);
  EXPECT_EQ(parsed->size, 42u);
  EXPECT_EQ(parsed->root, c.root);
}

TEST(Checkpoint, MalformedBodiesAreRefused) {
  std::string root = Sha256("r").Base64();
  for (const std::string& bad :
       {std::string("o\n12\n"), "o\n012\n" + root + "\n", "o\nx\n" + root + "\n", "o\n12\n" + root,
        "\n12\n" + root + "\n", std::string("o\n12\nAAAA\n")}) {
    EXPECT_FALSE(ParseCheckpointBody(bad).ok()) << bad;
  }
}

TEST(SignedNote, FlippedSignatureIsRefused) {
  auto key = testing::NewKey();
  std::string body = Checkpoint{"o.example", 3, Sha256("x"), {}}.Body();
  auto line = SignNoteLine(body, "o.example", *key);
  ASSERT_TRUE(line.ok());
  std::string l = *line;
  l[l.size() - 5] = l[l.size() - 5] == 'A' ? 'B' : 'A';
  auto note = ParseSignedNote(body + "\n" + l + "\n");
  ASSERT_TRUE(note.ok());
  Status s = VerifyNoteSignature(*note, "o.example", key->public_key());
  EXPECT_EQ(s.code(), StatusCode::kIntegrityViolation);
  EXPECT_NE(s.message().find("does not verify"), std::string::npos);
}

TEST(SignedNote, OtherKeysAreIgnoredButOneValidIsNeeded) {
  auto log = testing::NewKey();
  auto witness = testing::NewKey();
  std::string body = Checkpoint{"o.example", 3, Sha256("x"), {}}.Body();
  auto a = SignNoteLine(body, "o.example", *log);
  auto b = SignNoteLine(body, "witness.example", *witness);
  auto note = ParseSignedNote(body + "\n" + *b + "\n" + *a + "\n");
  ASSERT_TRUE(note.ok());
  EXPECT_EQ(note->signatures.size(), 2u);
  EXPECT_TRUE(VerifyNoteSignature(*note, "o.example", log->public_key()).ok());
  EXPECT_EQ(VerifyNoteSignature(*note, "o.example", witness->public_key()).code(),
            StatusCode::kIntegrityViolation);
}

TEST(SignedNote, MalformedNotesAreRefused) {
  EXPECT_FALSE(ParseSignedNote("no blank line\n").ok());
  EXPECT_FALSE(ParseSignedNote("body\n\n").ok());
  EXPECT_FALSE(ParseSignedNote("body\n\n- name abc\n").ok());
  EXPECT_FALSE(ParseSignedNote("body\n\n\xe2\x80\x94 name !!!\n").ok());
  EXPECT_FALSE(ParseSignedNote("bo\x01"
                               "dy\n\n\xe2\x80\x94 n AAAAAAAA\n")
                   .ok());
}

}  // namespace
}  // namespace dutyledger
