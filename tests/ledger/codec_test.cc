#include "ledger/codec.h"

#include <capnp/message.h>
#include <capnp/schema.h>
#include <gtest/gtest.h>

#include "ledger/json.h"
#include "ledger/schema/event.capnp.h"
#include "tests/support/test_util.h"

namespace dutyledger {
namespace {

Bytes NoteBody(const std::string& text) {
  capnp::MallocMessageBuilder m;
  auto b = m.initRoot<schema::EventBody>();
  Bytes id(16, '\x01');
  b.setEventId(capnp::Data::Reader(reinterpret_cast<const capnp::byte*>(id.data()), 16));
  b.setOrigin("test.example/park-1");
  WriteTime(b.initOccurredAt(), testing::TestEpoch());
  b.setSchemaVersion(1);
  b.initNote().setText(text);
  return CanonicalBytes(m);
}

Bytes SegmentBytes(capnp::MessageBuilder& m) {
  auto segments = m.getSegmentsForOutput();
  EXPECT_EQ(segments.size(), 1u);
  return Bytes(reinterpret_cast<const char*>(segments[0].begin()), segments[0].size() * 8);
}

TEST(Codec, CanonicalBodyDecodes) {
  auto v = EventView::Decode(NoteBody("hello"));
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->type_name(), "note");
  EXPECT_EQ(std::string(v->body().getNote().getText().cStr()), "hello");
}

TEST(Codec, NonCanonicalBodyIsRefused) {
  // A builder that overwrote a field leaves garbage behind: valid Cap'n Proto, not canonical.
  capnp::MallocMessageBuilder m;
  auto b = m.initRoot<schema::EventBody>();
  b.setOrigin("a much longer origin that will be abandoned");
  b.setOrigin("test.example/park-1");
  WriteTime(b.initOccurredAt(), testing::TestEpoch());
  b.initNote().setText("x");
  auto v = EventView::Decode(SegmentBytes(m));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kCorruption);
  EXPECT_NE(v.status().message().find("not in Cap'n Proto canonical form"), std::string::npos);
}

TEST(Codec, TrailingWordIsRefused) {
  Bytes body = NoteBody("x") + Bytes(8, '\0');
  EXPECT_FALSE(EventView::Decode(body).ok());
}

TEST(Codec, PartialWordIsRefused) {
  Bytes body = NoteBody("x");
  body.pop_back();
  auto v = EventView::Decode(body);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("whole number of 8-byte words"), std::string::npos);
}

TEST(Codec, GarbageNeverCrashes) {
  Bytes body = NoteBody("some text for the note");
  for (size_t i = 0; i < body.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      Bytes b = body;
      b[i] ^= static_cast<char>(1 << bit);
      auto v = EventView::Decode(b);  // must return, OK or not, never crash
      if (v.ok()) (void)v->type_name();
    }
  }
}

TEST(Codec, InvalidUtf8TextIsRefused) {
  auto v = EventView::Decode(NoteBody(std::string("bad \xff\xfe text")));
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("note.text"), std::string::npos) << v.status().message();
  EXPECT_NE(v.status().message().find("UTF-8"), std::string::npos);
}

TEST(Codec, UnknownUnionMemberIsRefused) {
  capnp::MallocMessageBuilder m;
  auto b = m.initRoot<schema::EventBody>();
  b.setOrigin("o");
  b.initNote().setText("x");
  // Overwrite the union discriminant with a value no member of this schema has.
  uint32_t offset =
      capnp::Schema::from<schema::EventBody>().getProto().getStruct().getDiscriminantOffset();
  auto data = capnp::toAny(b).getDataSection();
  ASSERT_GE(data.size(), offset * 2 + 2);
  data[offset * 2] = 0xff;
  data[offset * 2 + 1] = 0x7f;
  auto v = EventView::Decode(CanonicalBytes(m));
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("union member"), std::string::npos) << v.status().message();
}

// After the canonical check, the schema walk and the views read without bounds checks
// (ledger/codec.cc, ReadValidated): these are what must still be refused before that.

TEST(Codec, PointerPastTheEndIsRefused) {
  // The note's text is the last object of a canonical body: without the last word its pointer
  // reaches past the message.
  Bytes body = NoteBody("sixteen bytes..");
  body.resize(body.size() - 8);
  auto v = EventView::Decode(body);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kCorruption);
  EXPECT_NE(v.status().message().find("does not decode"), std::string::npos)
      << v.status().message();
}

TEST(Codec, PointerOfTheWrongKindIsRefused) {
  // A canonical message whose `origin` (text) points at a struct.
  capnp::MallocMessageBuilder m;
  auto b = m.initRoot<schema::EventBody>();
  WriteTime(b.initOccurredAt(), testing::TestEpoch());
  b.initNote().setText("x");
  auto origin = capnp::Schema::from<schema::EventBody>().getFieldByName("origin");
  capnp::toAny(b).getPointerSection()[origin.getProto().getSlot().getOffset()].initAsAnyStruct(1,
                                                                                               0);
  auto v = EventView::Decode(CanonicalBytes(m));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kCorruption);
  EXPECT_NE(v.status().message().find("field origin: expected text"), std::string::npos)
      << v.status().message();
}

TEST(Codec, EntryRoundTrip) {
  Bytes body = NoteBody("x");
  Digest prev = Sha256("prev");
  Bytes entry = EncodeEntry(EntryFields{42, testing::TestEpoch(), prev, "sig", body});
  auto e = EntryView::Decode(entry);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->sequence(), 42u);
  EXPECT_EQ(e->body_bytes(), body);
  EXPECT_EQ(e->signature(), "sig");
  EXPECT_EQ(entry.size() % 8, 0u);
}

TEST(Codec, StreamFrameHasSegmentTable) {
  Bytes seg(16, 'a');
  Bytes framed = StreamFrame(seg);
  ASSERT_EQ(framed.size(), 24u);
  EXPECT_EQ(framed.substr(0, 8), Bytes("\0\0\0\0\2\0\0\0", 8));
}

}  // namespace
}  // namespace dutyledger
