// Shared helpers of the PDQ conformance tests: paths into ../shared/testdata/pdq,
// the expected-value CSV files, and decode-then-view.
#ifndef VIGIL_TESTS_UNIT_HASH_PDQ_TEST_DATA_H_
#define VIGIL_TESTS_UNIT_HASH_PDQ_TEST_DATA_H_

#include <string>
#include <vector>

#include "vigil/decode/image_decoder.h"
#include "vigil/pdq/pdq.h"

namespace vigil::pdq::testing {

// VIGIL_TESTDATA/pdq/<relative>.
std::string PdqDataPath(const std::string& relative);

// One "hash,quality,path" row of an expected/*.csv file ('#' lines are comments).
struct ExpectedRow {
  Hash256 hash;
  int quality = 0;
  std::string path;
};

// Reads every row; ADD_FAILURE (with the path) if the file is missing or malformed,
// so a missing data set fails the test instead of passing vacuously.
std::vector<ExpectedRow> ReadExpectedCsv(const std::string& path);

// Decodes a file with vigil_decode; ADD_FAILURE with the decoder's message on error.
bool DecodeFile(const std::string& path, decode::DecodedImage* image);

ImageView ViewOf(const decode::DecodedImage& image);

}  // namespace vigil::pdq::testing

#endif  // VIGIL_TESTS_UNIT_HASH_PDQ_TEST_DATA_H_
