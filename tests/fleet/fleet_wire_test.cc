// The fleet's wire format (host/fleet/fleet_wire.h): what a worker accepts and refuses.
#include "fleet/fleet_wire.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fleet/fleet_wire.pb.h"

namespace vigil::fleet {
namespace {

service::Submission Sample(std::string bytes) {
  service::Submission s;
  s.id = "sub-0123abcd";
  s.name = "holiday.jpg";
  s.content_type = "image/jpeg";
  s.url = "https://platform.example/u/1";
  s.uploader_id = "user-7";
  s.source = "api";
  s.received_unix_ms = 1765000000123;
  s.attributes = {{"region", "eu"}, {"channel", "upload"}};
  s.bytes = std::move(bytes);
  return s;
}

TEST(FleetWire, InlineHeadRoundTripsEveryField) {
  service::Submission in = Sample("small item bytes");
  StatusOr<DecodedHead> out = DecodeHead(EncodeHead(in, 0, {}));
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(out->submission.id, in.id);
  EXPECT_EQ(out->submission.name, in.name);
  EXPECT_EQ(out->submission.content_type, in.content_type);
  EXPECT_EQ(out->submission.url, in.url);
  EXPECT_EQ(out->submission.uploader_id, in.uploader_id);
  EXPECT_EQ(out->submission.source, in.source);
  EXPECT_EQ(out->submission.received_unix_ms, in.received_unix_ms);
  EXPECT_EQ(out->submission.attributes, in.attributes);
  EXPECT_EQ(out->submission.bytes, in.bytes);
  EXPECT_TRUE(out->chunk_seqs.empty());
}

TEST(FleetWire, ChunkedHeadAssemblesAndChecksEachChunk) {
  std::string bytes(5000, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 31);
  service::Submission in = Sample(bytes);
  std::vector<std::string_view> views = SplitChunks(bytes, 2048);
  ASSERT_EQ(views.size(), 3u);
  StatusOr<DecodedHead> head = DecodeHead(EncodeHead(in, 2048, {11, 12, 13}));
  ASSERT_TRUE(head.ok()) << head.status().message();
  EXPECT_EQ(head->chunk_seqs, (std::vector<uint64_t>{11, 12, 13}));
  EXPECT_TRUE(head->submission.bytes.empty());
  std::vector<std::string> chunks(views.begin(), views.end());

  DecodedHead short_copy = *head;
  std::vector<std::string> missing = {chunks[0], chunks[1]};
  EXPECT_FALSE(AssembleChunks(short_copy, missing).ok());
  DecodedHead flipped_copy = *head;
  std::vector<std::string> flipped = chunks;
  flipped[1][7] ^= 1;
  Status flipped_status = AssembleChunks(flipped_copy, flipped);
  EXPECT_FALSE(flipped_status.ok());
  EXPECT_NE(flipped_status.message().find("sha256"), std::string::npos);
  DecodedHead truncated_copy = *head;
  std::vector<std::string> truncated = chunks;
  truncated[0].pop_back();
  EXPECT_FALSE(AssembleChunks(truncated_copy, truncated).ok());

  ASSERT_TRUE(AssembleChunks(*head, chunks).ok());
  EXPECT_EQ(head->submission.bytes, bytes);
}

TEST(FleetWire, RefusesWhatIsNotAHead) {
  for (std::string garbage :
       {std::string("not protobuf \xff\xff\xff", 16), std::string("{}"), std::string()}) {
    StatusOr<DecodedHead> out = DecodeHead(garbage);
    EXPECT_FALSE(out.ok());
  }
}

// Each broken field is refused with a reason, not accepted or crashed on.
TEST(FleetWire, RefusesInconsistentHeads) {
  auto encoded = [](const std::function<void(wire::SubmissionHead&)>& edit) {
    wire::SubmissionHead head;
    head.ParseFromString(EncodeHead(Sample("0123456789"), 0, {}));
    edit(head);
    return head.SerializeAsString();
  };
  struct Case {
    const char* what;
    std::function<void(wire::SubmissionHead&)> edit;
  } cases[] = {
      {"version", [](auto& h) { h.set_version(2); }},
      {"id", [](auto& h) { h.set_id("sub.with.dots"); }},
      {"id", [](auto& h) { h.set_id(""); }},
      {"id", [](auto& h) { h.set_id(std::string(129, 'a')); }},
      {"inline bytes", [](auto& h) { h.set_size(11); }},
      {"sha256", [](auto& h) { h.set_sha256_hex("abc"); }},
      {"sha256", [](auto& h) { h.set_sha256_hex(std::string(64, '0')); }},
      {"limit", [](auto& h) { h.set_size(kMaxItemBytes + 1); }},
      {"chunk", [](auto& h) { h.set_chunk_size(4096); }},
      {"both",
       [](auto& h) {
         h.add_chunk_seqs(1);
         h.set_chunk_size(4096);
       }},
      {"chunks for",
       [](auto& h) {
         h.clear_inline_bytes();
         h.set_chunk_size(4096);
         h.set_size(10000);
         h.add_chunk_seqs(1);  // needs 3
       }},
      {"out of range",
       [](auto& h) {
         h.clear_inline_bytes();
         h.set_chunk_size(10);
         h.add_chunk_seqs(1);
       }},
      {"sequence 0",
       [](auto& h) {
         h.clear_inline_bytes();
         h.set_chunk_size(4096);
         h.add_chunk_seqs(0);
       }},
      {"text field", [](auto& h) { h.set_name(std::string(9000, 'n')); }},
  };
  for (const Case& c : cases) {
    StatusOr<DecodedHead> out = DecodeHead(encoded(c.edit));
    ASSERT_FALSE(out.ok()) << c.what;
    EXPECT_NE(out.status().message().find(c.what), std::string::npos)
        << c.what << ": " << out.status().message();
  }
}

TEST(FleetWire, SubmissionIdsAreSubjectSafe) {
  EXPECT_TRUE(IsValidSubmissionId("sub-0123456789abcdef0123456789abcdef"));
  EXPECT_TRUE(IsValidSubmissionId("A_b-9"));
  for (const char* bad : {"", "a.b", "a b", "a*", "a>", "a/b", "é"}) {
    EXPECT_FALSE(IsValidSubmissionId(bad)) << bad;
  }
}

}  // namespace
}  // namespace vigil::fleet
