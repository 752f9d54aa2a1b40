// Near-duplicates (host/store/near_duplicates.h) as the console's evidence
// panel and `vigil queue show --item` list them: PDQ within the threshold in
// any of the 8 orientations, or the same exact digest; nothing else; nearest
// first. On both stores (issue 13, item 1); the query plan check is SQLite's.
#include "store/near_duplicates.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "fixture_store.h"
#include "image/png_io.h"
#include "model/item_details.h"
#include "store/db/database.h"
#include "store/review_queue.h"
#include "store_backend.h"
#include "vigil/decode/image_decoder.h"
#include "vigil/pdq/pdq.h"

namespace vigil::review {
namespace {

using ::testing::HasSubstr;
using Signals = std::vector<std::pair<std::string, std::string>>;

// Rotated 90 degrees counter-clockwise: output (x, y) = input (w-1-y, x).
RgbImage Rotate90(const RgbImage& in) {
  RgbImage out(in.height, in.width);
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      const uint8_t* p = in.at(in.width - 1 - y, x);
      std::copy(p, p + 3, out.at(x, y));
    }
  }
  return out;
}

// Left-right mirror.
RgbImage FlipLeftRight(const RgbImage& in) {
  RgbImage out(in.width, in.height);
  for (int y = 0; y < in.height; ++y) {
    for (int x = 0; x < in.width; ++x) {
      const uint8_t* p = in.at(in.width - 1 - x, y);
      std::copy(p, p + 3, out.at(x, y));
    }
  }
  return out;
}

// Unrelated pictures: a 6x4 grid of blocks in colours drawn from `seed`.
RgbImage RandomBlocks(int width, int height, unsigned seed) {
  std::mt19937 random(seed);
  RgbImage out(width, height);
  uint8_t colours[4][6][3];
  for (auto& row : colours) {
    for (auto& block : row) {
      for (uint8_t& c : block) c = static_cast<uint8_t>(random() % 256);
    }
  }
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const uint8_t* c = colours[y * 4 / height][x * 6 / width];
      std::copy(c, c + 3, out.at(x, y));
    }
  }
  return out;
}

pdq::ImageView View(const decode::DecodedImage& image) {
  pdq::ImageView view;
  view.pixels = image.pixel_data();
  view.size_bytes = image.pixel_bytes();
  view.width = image.width;
  view.height = image.height;
  view.stride = image.stride;
  view.format = pdq::PixelFormat::kRgb8;
  return view;
}

// The 8 orientation hashes of the file, as the PDQ library computes them; [0]
// is what vigil.pdq stores.
std::array<pdq::Hash256, 8> HashFile(const std::string& path) {
  auto decoded = decode::DecodeImageFile(path);
  EXPECT_TRUE(decoded.ok()) << path;
  if (!decoded.ok()) return {};
  pdq::PdqHasher hasher;
  auto hashes = hasher.HashDihedral(View(decoded.value()));
  EXPECT_TRUE(hashes.ok());
  return hashes.ok() ? hashes.value().hashes : std::array<pdq::Hash256, 8>{};
}

std::string Hex64(int n, char fill) {
  std::string s(64, fill);
  const std::string tail = std::to_string(n);
  s.replace(64 - tail.size(), tail.size(), tail);
  return s;
}

struct Output {
  int code = -1;
  std::string out;
  std::string err;
};

Output RunVigil(const std::string& args, const std::filesystem::path& dir) {
  const std::string err_file = (dir / "stderr.txt").string();
  const std::string command =
      std::string(VIGIL_BINARY_DIR) + "/bin/vigil " + args + " 2>'" + err_file + "'";
  Output out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.out.append(buffer.data(), n);
  const int status = pclose(pipe);
  out.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  FILE* err = std::fopen(err_file.c_str(), "r");
  if (err) {
    while ((n = fread(buffer.data(), 1, buffer.size(), err)) > 0) out.err.append(buffer.data(), n);
    std::fclose(err);
  }
  return out;
}

class NearDuplicatesTest : public host::StoreBackendTest {
 protected:
  std::string WriteImage(const std::string& name, const RgbImage& image) {
    const std::string path = (dir_ / name).string();
    EXPECT_TRUE(WritePng(path, image).ok()) << path;
    return path;
  }

  // Records a queued item the way a scan would: vigil.pdq's hash, vigil.exact's
  // digests, and a file-type and entropy signal every JPEG shares. Returns its
  // id.
  int64_t Record(const std::string& identity, const std::string& path, const std::string& pdq,
                 int digests) {
    host::ItemRecord record;
    record.sha256 = identity;
    record.path = path;
    record.size = 1000;
    record.media_kind = "image";
    record.format = "png";
    record.width = 96;
    record.height = 64;
    record.url = "https://example.test/" + identity.substr(60);
    record.outcome.disposition = host::Disposition::kReview;
    record.outcome.priority = 10;
    record.outcome.severity = 3;
    record.outcome.rule = "test";
    record.outcome.reason = "test item";
    auto add_run = [&](const std::string& detector, const Signals& signals) {
      host::DetectorRun run;
      run.detector = detector;
      for (const auto& [type, value] : signals) {
        auto* s = run.result.add_signals();
        s->set_type(type);
        s->set_value(value);
      }
      record.runs.push_back(std::move(run));
    };
    if (!pdq.empty()) add_run("vigil.pdq", {{"pdq", pdq}});
    // Digests of the same bytes are equal: items recorded with the same
    // `digests`.
    add_run("vigil.exact", {{"md5", Hex64(digests, 'd').substr(32)},
                            {"sha1", Hex64(digests, 'd').substr(24)},
                            {"sha256", Hex64(digests, 'd')}});
    add_run("sample.filetype", {{"file-type", "jpeg"}, {"entropy", "7.9"}});
    auto id = store_->RecordItem(record);
    EXPECT_TRUE(id.ok()) << id.status().message();
    return id.ok() ? id.value() : 0;
  }

  void Decide(int64_t item_id, const std::string& decision) {
    host::Statement insert(store_->db(),
                           "INSERT INTO decisions (item_id, reviewer, decision, decided_at) "
                           "VALUES (?1, 'alice', ?2, '2026-12-01T00:00:00Z')");
    ASSERT_TRUE(insert.ok());
    insert.Bind(1, item_id).Bind(2, decision);
    ASSERT_EQ(insert.Step(), host::kDone);
  }
};

// 20 unrelated drawn images share a file-type and an entropy value and nothing
// else: none is a near-duplicate of another (main listed the other 19 for
// each).
TEST_P(NearDuplicatesTest, UnrelatedItemsSharingFileTypeAndEntropyAreNotListed) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 20; ++i) {
    const std::string path = WriteImage("unrelated-" + std::to_string(i) + ".png",
                                        RandomBlocks(96, 64, static_cast<unsigned>(i) + 1));
    ids.push_back(Record(Hex64(i + 1, 'e'), path, HashFile(path)[0].ToHex(), i + 1));
  }
  for (int64_t id : ids) {
    auto near = host::FindNearDuplicates(*store_, id);
    ASSERT_TRUE(near.ok()) << near.status().message();
    EXPECT_TRUE(near.value().items.empty())
        << "item " << id << " lists item " << near.value().items[0].item_id;
    EXPECT_EQ(near.value().orientations_checked, 8);
    auto details = LoadItemDetails(*store_, id);
    ASSERT_TRUE(details.ok());
    EXPECT_TRUE(details.value().duplicates.empty()) << "item " << id;
  }
}

// A rotated copy, a mirrored copy and a byte-identical copy (same digests) are
// listed with their distances, nearest first; an unrelated item is not;
// decisions come along.
TEST_P(NearDuplicatesTest, RotatedMirroredAndIdenticalCopiesNearestFirst) {
  const RgbImage picture = testing::DrawPattern(96, 64, 3);
  const std::string original = WriteImage("original.png", picture);
  const std::string rotated = WriteImage("rotated.png", Rotate90(picture));
  const std::string mirrored = WriteImage("mirrored.png", FlipLeftRight(picture));
  const std::string other = WriteImage("other.png", testing::DrawPattern(96, 64, 40));
  const auto original_hashes = HashFile(original);
  const pdq::Hash256 rotated_hash = HashFile(rotated)[0];
  const pdq::Hash256 mirrored_hash = HashFile(mirrored)[0];

  const int64_t unrelated = Record(Hex64(1, 'e'), other, HashFile(other)[0].ToHex(), 1);
  const int64_t rot = Record(Hex64(2, 'e'), rotated, rotated_hash.ToHex(), 2);
  const int64_t item = Record(Hex64(3, 'e'), original, original_hashes[0].ToHex(), 3);
  const int64_t mir = Record(Hex64(4, 'e'), mirrored, mirrored_hash.ToHex(), 4);
  // The same bytes recorded under another identity: the same digests, no PDQ
  // hash.
  const int64_t same = Record(Hex64(5, 'e'), original, "", 3);
  Decide(rot, "B1");
  Decide(rot, "A2");  // the latest decision counts

  auto Expected = [&](const pdq::Hash256& copy) {
    int best = 257;
    for (const auto& h : original_hashes) best = std::min(best, pdq::HammingDistance(h, copy));
    return best;
  };
  const int rot_distance = Expected(rotated_hash);
  const int mir_distance = Expected(mirrored_hash);
  // As stored (one orientation) the copies are far apart: the rotations are
  // what find them.
  ASSERT_GT(pdq::HammingDistance(original_hashes[0], rotated_hash), 31);
  ASSERT_GT(pdq::HammingDistance(original_hashes[0], mirrored_hash), 31);
  ASSERT_LE(rot_distance, 31);
  ASSERT_LE(mir_distance, 31);

  auto near = host::FindNearDuplicates(*store_, item);
  ASSERT_TRUE(near.ok()) << near.status().message();
  const auto& rows = near.value().items;
  EXPECT_EQ(near.value().orientations_checked, 8);
  EXPECT_EQ(near.value().note, "");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].item_id, same);
  EXPECT_EQ(rows[0].match, "sha256");
  EXPECT_EQ(rows[0].distance, 0);
  EXPECT_EQ(rows[0].decision, "");
  // Then by distance (ties by item id).
  const bool rot_first = rot_distance < mir_distance || (rot_distance == mir_distance && rot < mir);
  const auto& r = rows[rot_first ? 1 : 2];
  const auto& m = rows[rot_first ? 2 : 1];
  EXPECT_EQ(r.item_id, rot);
  EXPECT_EQ(r.match, "pdq");
  EXPECT_EQ(r.distance, rot_distance);
  EXPECT_EQ(r.decision, "A2");
  EXPECT_EQ(m.item_id, mir);
  EXPECT_EQ(m.distance, mir_distance);
  EXPECT_EQ(m.decision, "");
  for (const auto& row : rows) EXPECT_NE(row.item_id, unrelated);

  // The rotated copy finds the original too (its own rotations).
  auto back = host::FindNearDuplicates(*store_, rot);
  ASSERT_TRUE(back.ok());
  ASSERT_FALSE(back.value().items.empty());
  EXPECT_EQ(back.value().items[0].item_id, item);
  EXPECT_EQ(back.value().items[0].distance, rot_distance);

  // The identical copy has no PDQ hash: its digests alone find the original.
  auto from_copy = host::FindNearDuplicates(*store_, same);
  ASSERT_TRUE(from_copy.ok());
  EXPECT_EQ(from_copy.value().orientations_checked, 0);
  ASSERT_EQ(from_copy.value().items.size(), 1u);
  EXPECT_EQ(from_copy.value().items[0].item_id, item);
  EXPECT_EQ(from_copy.value().items[0].match, "sha256");

  // The console shows the same list.
  auto details = LoadItemDetails(*store_, item);
  ASSERT_TRUE(details.ok());
  ASSERT_EQ(details.value().duplicates.size(), 3u);
  EXPECT_EQ(details.value().duplicates[0].item_id, same);
  EXPECT_EQ(details.value().duplicates[0].match, "sha256");
  EXPECT_EQ(details.value().duplicates[rot_first ? 1 : 2].distance, rot_distance);
}

// Without the media only the stored orientation is compared, and the result
// says so.
TEST_P(NearDuplicatesTest, MissingMediaComparesTheStoredOrientationAndSaysSo) {
  const RgbImage picture = testing::DrawPattern(96, 64, 5);
  const std::string original = WriteImage("original.png", picture);
  const std::string rotated = WriteImage("rotated.png", Rotate90(picture));
  const int64_t item = Record(Hex64(1, 'e'), original, HashFile(original)[0].ToHex(), 1);
  Record(Hex64(2, 'e'), rotated, HashFile(rotated)[0].ToHex(), 2);
  const int64_t exact = Record(Hex64(3, 'e'), original, HashFile(original)[0].ToHex(), 3);
  std::filesystem::remove(original);

  auto near = host::FindNearDuplicates(*store_, item);
  ASSERT_TRUE(near.ok()) << near.status().message();
  EXPECT_EQ(near.value().orientations_checked, 1);
  EXPECT_THAT(near.value().note, HasSubstr("not readable"));
  ASSERT_EQ(near.value().items.size(),
            1u);  // the rotated copy needs the rotations
  EXPECT_EQ(near.value().items[0].item_id, exact);
  EXPECT_EQ(near.value().items[0].match, "pdq");
  EXPECT_EQ(near.value().items[0].distance, 0);
}

TEST_P(NearDuplicatesTest, UnknownItemIsNotFound) {
  auto near = host::FindNearDuplicates(*store_, 4242);
  ASSERT_FALSE(near.ok());
  EXPECT_EQ(near.status().message(), "item 4242 is not in the store");
}

// `vigil queue show --item ID [--json]`: the same evidence as text and as JSON.
TEST_P(NearDuplicatesTest, QueueShowItemPrintsTheEvidence) {
  const RgbImage picture = testing::DrawPattern(96, 64, 3);
  const std::string original = WriteImage("original.png", picture);
  const std::string rotated = WriteImage("rotated.png", Rotate90(picture));
  const auto original_hashes = HashFile(original);
  const pdq::Hash256 rotated_hash = HashFile(rotated)[0];
  int rot_distance = 257;
  for (const auto& h : original_hashes) {
    rot_distance = std::min(rot_distance, pdq::HammingDistance(h, rotated_hash));
  }
  const int64_t item = Record(Hex64(1, 'e'), original, original_hashes[0].ToHex(), 1);
  const int64_t rot = Record(Hex64(2, 'e'), rotated, rotated_hash.ToHex(), 2);
  const int64_t same = Record(Hex64(3, 'e'), original, "", 1);
  Decide(item, "not-illegal");
  host::ReviewQueue queue(*store_);
  ASSERT_TRUE(queue.RecordReveal("alice", item, 0.25f, 0.5f, 0.125f, 0.25f, 1500).ok());
  store_.reset();  // the CLI opens it read-only
  const std::string store = "--store '" + location_ + "'";

  Output json = RunVigil(store + " queue show --item " + std::to_string(item) + " --json", dir_);
  ASSERT_EQ(json.code, 0) << json.err;
  const nlohmann::json e = nlohmann::json::parse(json.out);  // throws (fails) when invalid
  EXPECT_EQ(e["item"], item);
  EXPECT_EQ(e["sha256"], Hex64(1, 'e'));
  EXPECT_EQ(e["path"], original);
  EXPECT_EQ(e["url"], "https://example.test/eee1");
  EXPECT_EQ(e["queue_state"], "pending");
  EXPECT_EQ(e["signals"].size(),
            6u);  // pdq, md5, sha1, sha256, file-type, entropy
  EXPECT_EQ(e["detections"].size(), 0u);
  ASSERT_EQ(e["decisions"].size(), 1u);
  EXPECT_EQ(e["decisions"][0]["decision"], "not-illegal");
  EXPECT_EQ(e["decisions"][0]["reviewer"], "alice");
  ASSERT_EQ(e["reveals"].size(), 1u);
  EXPECT_EQ(e["reveals"][0]["duration_ms"], 1500);
  EXPECT_DOUBLE_EQ(e["reveals"][0]["x"].get<double>(), 0.25);
  EXPECT_DOUBLE_EQ(e["reveals"][0]["h"].get<double>(), 0.25);
  const auto& near = e["near_duplicates"];
  EXPECT_EQ(near["pdq_threshold"], 31);
  EXPECT_EQ(near["orientations_checked"], 8);
  ASSERT_EQ(near["items"].size(), 2u);
  EXPECT_EQ(near["items"][0]["item"], same);
  EXPECT_EQ(near["items"][0]["match"], "sha256");
  EXPECT_EQ(near["items"][0]["distance"], 0);
  EXPECT_EQ(near["items"][1]["item"], rot);
  EXPECT_EQ(near["items"][1]["match"], "pdq");
  EXPECT_EQ(near["items"][1]["distance"], rot_distance);
  EXPECT_TRUE(near["items"][1]["orientation"].is_string());

  Output text = RunVigil(store + " queue show --item " + std::to_string(item), dir_);
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("Item " + std::to_string(item) + ": image, outcome review"));
  EXPECT_THAT(text.out, HasSubstr("URL: https://example.test/eee1"));
  EXPECT_THAT(text.out, HasSubstr("Item " + std::to_string(same) + ": same sha256, distance 0"));
  EXPECT_THAT(text.out, HasSubstr("Item " + std::to_string(rot) + ": PDQ distance " +
                                  std::to_string(rot_distance)));
  EXPECT_THAT(text.out, HasSubstr("not-illegal by alice"));
  EXPECT_THAT(text.out, HasSubstr("Reveals (1):"));

  Output missing = RunVigil(store + " queue show --item 999", dir_);
  EXPECT_NE(missing.code, 0);
  EXPECT_EQ(missing.out, "");
  EXPECT_EQ(missing.err, "vigil: item 999 is not in the store\n");

  Output json_alone = RunVigil(store + " queue show --json", dir_);
  EXPECT_NE(json_alone.code, 0);
  EXPECT_THAT(json_alone.err, HasSubstr("--item"));
}

VIGIL_ON_BOTH_STORES(NearDuplicatesTest);

}  // namespace
}  // namespace vigil::review

namespace vigil::review {
namespace {

// The query plan of SQLite.
class NearDuplicatesSqliteTest : public NearDuplicatesTest {};

// Scale: each pass is one statement that reads a covering index (no table look-up per
// stored item), so 100k items cost one index range scan, not 100k round trips.
TEST_P(NearDuplicatesSqliteTest, EachPassReadsOneCoveringIndex) {
  for (const char* sql : {host::kPdqPassSql, host::kDigestMatchSql}) {
    const std::string explain = std::string("EXPLAIN QUERY PLAN ") + sql;
    host::Statement plan(store_->db(), explain.c_str());
    ASSERT_TRUE(plan.ok()) << sql;
    plan.Bind(1, static_cast<int64_t>(1));
    std::string steps;
    while (plan.Step() == host::kRow) steps += plan.ColumnText(3) + "\n";
    EXPECT_THAT(steps, HasSubstr("COVERING INDEX signals_by_value_item")) << sql;
    EXPECT_THAT(steps, ::testing::Not(HasSubstr("SCAN signals"))) << steps;
  }
}

INSTANTIATE_TEST_SUITE_P(SQLiteOnly, NearDuplicatesSqliteTest,
                         ::testing::Values(host::Backend::kSqlite), host::BackendName);

}  // namespace
}  // namespace vigil::review
