// vigil_review_make_store STORE DIR N: a store whose queue holds N drawn, benign items
// (severities cycling 2..5), for measuring and demonstrating the console.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fixture_store.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: vigil_review_make_store STORE DIR N\n");
    return 2;
  }
  const int count = std::atoi(argv[3]);
  if (count <= 0 || count > 100000) {
    std::fprintf(stderr, "vigil_review_make_store: N must be 1..100000\n");
    return 2;
  }
  auto store = vigil::host::Store::Open(argv[1]);
  if (!store.ok()) {
    std::fprintf(stderr, "vigil_review_make_store: %s\n", store.status().message().c_str());
    return 1;
  }
  auto ids = vigil::review::testing::MakeQueue(*store.value(), argv[2], count, {2, 3, 4, 5});
  std::printf("queued %zu items\n", ids.size());
  return ids.size() == static_cast<size_t>(count) ? 0 : 1;
}
