// vigil/wire.h writes bytes that protobuf parses into the intended vigil.v1 messages.
#include <gtest/gtest.h>

#include "vigil/v1/detector.pb.h"
#include "vigil/v1/result.pb.h"
#include "vigil/wire.h"

namespace {

TEST(WireTest, WritesADetectorInfoProtobufReads) {
  uint8_t storage[256];
  vigil_wire_buf b;
  vigil_wire_init(&b, storage, sizeof storage);
  vigil_wire_string(&b, 1, "acme.test");
  vigil_wire_varint(&b, 4, vigil::v1::DETECTOR_KIND_URL);
  vigil_wire_varint(&b, 5, vigil::v1::MEDIA_KIND_URL);
  vigil_wire_varint(&b, 5, vigil::v1::MEDIA_KIND_BINARY);
  ASSERT_FALSE(b.overflow);
  vigil::v1::DetectorInfo info;
  ASSERT_TRUE(info.ParseFromArray(b.data, static_cast<int>(b.size)));
  EXPECT_EQ(info.id(), "acme.test");
  EXPECT_EQ(info.kind(), vigil::v1::DETECTOR_KIND_URL);
  ASSERT_EQ(info.accepted_media_size(), 2);
  EXPECT_EQ(info.accepted_media(1), vigil::v1::MEDIA_KIND_BINARY);
}

TEST(WireTest, NestedMessagesDoublesAndNegativeVarints) {
  uint8_t inner_storage[128], outer_storage[256];
  vigil_wire_buf inner, outer;
  vigil_wire_init(&inner, inner_storage, sizeof inner_storage);
  vigil_wire_string(&inner, 2, "label");
  vigil_wire_double(&inner, 3, 0.25);
  vigil_wire_varint(&inner, 4, vigil::v1::SEVERITY_HIGH);
  vigil_wire_init(&outer, outer_storage, sizeof outer_storage);
  vigil_wire_bytes(&outer, 2, inner.data, inner.size);
  uint8_t signal_storage[64];
  vigil_wire_buf signal;
  vigil_wire_init(&signal, signal_storage, sizeof signal_storage);
  vigil_wire_varint(&signal, 3, -5);  // int32 quality
  vigil_wire_bytes(&outer, 1, signal.data, signal.size);
  vigil::v1::AnalysisResult result;
  ASSERT_TRUE(result.ParseFromArray(outer.data, static_cast<int>(outer.size)));
  ASSERT_EQ(result.detections_size(), 1);
  EXPECT_EQ(result.detections(0).label(), "label");
  EXPECT_DOUBLE_EQ(result.detections(0).score(), 0.25);
  EXPECT_EQ(result.detections(0).severity(), vigil::v1::SEVERITY_HIGH);
  EXPECT_EQ(result.signals(0).quality(), -5);
}

TEST(WireTest, OverflowIsStickyAndWritesNothingPastCapacity) {
  uint8_t storage[8 + 4];
  std::fill(std::begin(storage), std::end(storage), 0xAB);
  vigil_wire_buf b;
  vigil_wire_init(&b, storage, 8);
  vigil_wire_string(&b, 1, "12345");   // 2 + 5 = 7 bytes: fits
  EXPECT_FALSE(b.overflow);
  vigil_wire_string(&b, 1, "toolong");  // does not fit
  EXPECT_TRUE(b.overflow);
  vigil_wire_varint(&b, 1, 1);  // ignored after overflow
  EXPECT_EQ(b.size, 7u + 1u);   // the tag of the refused string went in before the body
  for (int i = 8; i < 12; ++i) EXPECT_EQ(storage[i], 0xAB) << "wrote past capacity at " << i;
}

}  // namespace
