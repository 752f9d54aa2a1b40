#include "fleet/jetstream.h"

#include <sstream>
#include <vector>

namespace vigil::fleet {
namespace {

std::vector<std::string> SplitUrls(const std::string& urls) {
  std::vector<std::string> out;
  std::stringstream in(urls);
  std::string url;
  while (std::getline(in, url, ',')) {
    size_t begin = url.find_first_not_of(" \t");
    size_t end = url.find_last_not_of(" \t");
    if (begin != std::string::npos) out.push_back(url.substr(begin, end - begin + 1));
  }
  return out;
}

struct OptionsDeleter {
  void operator()(natsOptions* options) const { natsOptions_Destroy(options); }
};

// Adds one stream if it does not exist. Auto replicas: 3, and 1 where the server says
// replicas are not supported (a single node) or there are not enough servers.
Status EnsureStream(jsCtx* js, jsStreamConfig& config, int replicas) {
  jsStreamInfo* info = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&info, js, config.Name, nullptr, &js_error);
  if (s == NATS_OK) {
    jsStreamInfo_Destroy(info);
    return Status::Ok();
  }
  if (s != NATS_NOT_FOUND) {
    return Status::Unavailable("JetStream stream " + std::string(config.Name) + ": " +
                               NatsError(s, js_error));
  }
  config.Replicas = replicas > 0 ? replicas : 3;
  s = js_AddStream(&info, js, &config, nullptr, &js_error);
  if (s != NATS_OK && replicas == 0 &&
      (js_error == JSStreamReplicasNotSupportedErr || js_error == JSInsufficientResourcesErr ||
       js_error == static_cast<jsErrCode>(10005))) {  // 10005: no suitable peers for placement
    config.Replicas = 1;
    js_error = static_cast<jsErrCode>(0);
    s = js_AddStream(&info, js, &config, nullptr, &js_error);
  }
  if (s != NATS_OK) {
    return Status::Unavailable("cannot create JetStream stream " + std::string(config.Name) + ": " +
                               NatsError(s, js_error));
  }
  jsStreamInfo_Destroy(info);
  return Status::Ok();
}

}  // namespace

std::string NatsError(natsStatus status, jsErrCode js_error) {
  std::string text = natsStatus_GetText(status);
  if (js_error != 0) text += " (JetStream error " + std::to_string(js_error) + ")";
  natsStatus last = NATS_OK;
  const char* detail = nats_GetLastError(&last);
  if (detail != nullptr && *detail != '\0' && text.find(detail) == std::string::npos) {
    text += ": " + std::string(detail);
  }
  return text;
}

StatusOr<std::unique_ptr<JetStreamConnection>> JetStreamConnection::Connect(
    const std::string& urls, const std::string& name) {
  std::vector<std::string> servers = SplitUrls(urls);
  if (servers.empty()) return Status::InvalidArgument("--nats needs at least one nats:// URL");
  for (const std::string& server : servers) {
    if (server.rfind("nats://", 0) != 0 && server.rfind("tls://", 0) != 0) {
      return Status::InvalidArgument("not a NATS URL: '" + server +
                                     "' (expected nats://host:port)");
    }
  }
  natsOptions* raw_options = nullptr;
  if (natsOptions_Create(&raw_options) != NATS_OK) {
    return Status::Resource("cannot allocate NATS options");
  }
  std::unique_ptr<natsOptions, OptionsDeleter> options(raw_options);
  std::vector<const char*> server_ptrs;
  for (const std::string& server : servers) server_ptrs.push_back(server.c_str());
  natsStatus s = natsOptions_SetServers(options.get(), server_ptrs.data(),
                                        static_cast<int>(server_ptrs.size()));
  if (s == NATS_OK) s = natsOptions_SetName(options.get(), name.c_str());
  // Reconnect forever, quickly: a cluster node going away must not end a worker.
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(options.get(), -1);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(options.get(), 200);
  if (s == NATS_OK) s = natsOptions_SetTimeout(options.get(), 5000);
  if (s == NATS_OK) s = natsOptions_SetPingInterval(options.get(), 5000);
  if (s == NATS_OK) s = natsOptions_SetReconnectBufSize(options.get(), 96 * 1024 * 1024);
  if (s != NATS_OK) return Status::InvalidArgument("NATS options: " + NatsError(s));
  std::unique_ptr<JetStreamConnection> connection(new JetStreamConnection());
  s = natsConnection_Connect(&connection->nc_, options.get());
  if (s != NATS_OK) {
    return Status::Unavailable("cannot connect to NATS at " + urls + ": " + NatsError(s));
  }
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.Wait = 10000;  // a stream leader election takes a few seconds
  s = natsConnection_JetStream(&connection->js_, connection->nc_, &js_options);
  if (s != NATS_OK) return Status::Unavailable("NATS JetStream context: " + NatsError(s));
  return connection;
}

JetStreamConnection::~JetStreamConnection() {
  if (js_ != nullptr) jsCtx_Destroy(js_);
  if (nc_ != nullptr) {
    natsConnection_Close(nc_);
    natsConnection_Destroy(nc_);
  }
}

Status JetStreamConnection::EnsureStreams(const FleetNames& names) {
  jsStreamConfig work;
  jsStreamConfig_Init(&work);
  const char* work_subjects[] = {names.work_subject.c_str()};
  work.Name = names.work_stream.c_str();
  work.Subjects = work_subjects;
  work.SubjectsLen = 1;
  work.Retention = js_WorkQueuePolicy;
  work.Storage = js_FileStorage;
  work.Duplicates = names.duplicate_window_ms * 1000000;
  Status status = EnsureStream(js_, work, names.replicas);
  if (!status.ok()) return status;

  jsStreamConfig chunks;
  jsStreamConfig_Init(&chunks);
  std::string chunk_wildcard = names.chunk_subject_prefix + ".>";
  const char* chunk_subjects[] = {chunk_wildcard.c_str()};
  chunks.Name = names.chunk_stream.c_str();
  chunks.Subjects = chunk_subjects;
  chunks.SubjectsLen = 1;
  chunks.Retention = js_LimitsPolicy;
  chunks.Storage = js_FileStorage;
  chunks.Duplicates = names.duplicate_window_ms * 1000000;
  chunks.MaxAge = names.chunk_max_age_ms * 1000000;
  return EnsureStream(js_, chunks, names.replicas);
}

}  // namespace vigil::fleet
