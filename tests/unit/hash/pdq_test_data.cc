#include "pdq_test_data.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace vigil::pdq::testing {

std::string PdqDataPath(const std::string& relative) {
  return std::string(VIGIL_TESTDATA) + "/pdq/" + relative;
}

std::vector<ExpectedRow> ReadExpectedCsv(const std::string& path) {
  std::vector<ExpectedRow> rows;
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "missing conformance data " << path
                  << " (VIGIL_TESTDATA must point at ../shared/testdata)";
    return rows;
  }
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string hex, quality, file;
    if (!std::getline(fields, hex, ',') || !std::getline(fields, quality, ',') ||
        !std::getline(fields, file)) {
      ADD_FAILURE() << path << ":" << line_number << ": not hash,quality,path";
      continue;
    }
    auto hash = Hash256::FromHex(hex);
    if (!hash.ok()) {
      ADD_FAILURE() << path << ":" << line_number << ": " << hash.status().message();
      continue;
    }
    rows.push_back(ExpectedRow{hash.value(), std::stoi(quality), file});
  }
  return rows;
}

bool DecodeFile(const std::string& path, decode::DecodedImage* image) {
  auto decoded = decode::DecodeImageFile(path);
  if (!decoded.ok()) {
    ADD_FAILURE() << path << ": " << decoded.status().message();
    return false;
  }
  *image = std::move(decoded).value();
  return true;
}

ImageView ViewOf(const decode::DecodedImage& image) {
  return ImageView{image.pixels.data(), image.pixels.size(), image.width,
                   image.height,        image.stride,        PixelFormat::kRgb8};
}

}  // namespace vigil::pdq::testing
