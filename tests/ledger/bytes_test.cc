#include "ledger/bytes.h"

#include <gtest/gtest.h>

namespace dutyledger {
namespace {

TEST(Hex, RoundTrip) {
  Bytes b("\x00\x01\xab\xff", 4);
  EXPECT_EQ(HexEncode(b), "0001abff");
  EXPECT_EQ(*HexDecode("0001ABff"), b);
}

TEST(Hex, RefusesOddLengthAndNonHex) {
  EXPECT_FALSE(HexDecode("abc"));
  EXPECT_FALSE(HexDecode("zz"));
}

TEST(Base64, Rfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(*Base64Decode("Zm9vYg=="), "foob");
  EXPECT_EQ(*Base64Decode("Zm9vYmE="), "fooba");
}

TEST(Base64, RefusesMalformed) {
  EXPECT_FALSE(Base64Decode("Zg="));       // length not a multiple of 4
  EXPECT_FALSE(Base64Decode("Z==="));      // too much padding
  EXPECT_FALSE(Base64Decode("Zh=="));      // non-zero bits under the padding
  EXPECT_FALSE(Base64Decode("Zm9v\n"));    // whitespace
  EXPECT_FALSE(Base64Decode("Zg==Zg=="));  // padding in the middle
  EXPECT_FALSE(Base64Decode("Z-9v"));      // URL alphabet
}

TEST(Digest, SizeIsChecked) {
  EXPECT_FALSE(Digest::FromBytes("short"));
  EXPECT_TRUE(Digest::FromBytes(Bytes(32, 'x')));
  EXPECT_TRUE(Digest().IsZero());
}

}  // namespace
}  // namespace dutyledger
