// Publishes files to the fleet's work queue as submissions, as `vigil serve --nats` would
// (bench/fleet/fleet_bench.sh): fleet_publish URL PREFIX REPEAT FILE... publishes every
// file REPEAT times with ids PREFIX-<r>-<i>, each acked by JetStream before the next.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "fleet/jetstream_sink.h"

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: fleet_publish NATS_URL ID_PREFIX REPEAT FILE...\n");
    return 2;
  }
  auto sink = vigil::fleet::JetStreamSink::Open(argv[1]);
  if (!sink.ok()) {
    std::fprintf(stderr, "fleet_publish: %s\n", sink.status().message().c_str());
    return 1;
  }
  const std::string prefix = argv[2];
  const int repeat = std::atoi(argv[3]);
  auto start = std::chrono::steady_clock::now();
  int published = 0;
  for (int r = 0; r < repeat; ++r) {
    for (int i = 4; i < argc; ++i) {
      std::ifstream in(argv[i], std::ios::binary);
      std::stringstream bytes;
      bytes << in.rdbuf();
      vigil::service::Submission s;
      s.id = prefix + "-" + std::to_string(r) + "-" + std::to_string(i - 4);
      s.name = argv[i];
      s.source = "bench";
      s.content_type = "image/jpeg";
      s.bytes = bytes.str();
      vigil::Status status = sink.value()->Submit(s);
      if (!status.ok()) {
        std::fprintf(stderr, "fleet_publish: %s\n", status.message().c_str());
        return 1;
      }
      ++published;
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("published %d submissions in %.2f s (%.0f/s)\n", published, seconds,
              published / seconds);
  return 0;
}
