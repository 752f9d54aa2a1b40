#include "service/token_auth.h"

#include "store/api_tokens.h"

namespace vigil::service {

namespace {
constexpr size_t kMaxCached = 10000;
}

StoreAuthenticator::StoreAuthenticator(host::Database& db, std::mutex& db_mutex,
                                       std::chrono::milliseconds ttl)
    : db_(db), db_mutex_(db_mutex), ttl_(ttl) {}

int64_t StoreAuthenticator::lookups() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return lookups_;
}

std::optional<Principal> StoreAuthenticator::Authenticate(std::string_view token_view) {
  const std::string token(token_view);
  const std::string key = host::ApiTokenHash(token);
  const auto now = Clock::now();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = cache_.find(key);
    if (it != cache_.end() && now - it->second.at < ttl_) return it->second.who;
  }
  std::optional<Principal> who;
  bool answered = false;
  {
    std::lock_guard<std::mutex> lock(db_mutex_);
    auto found = host::FindLiveApiToken(db_, token);
    if (found.ok()) {
      answered = true;
      if (found.value()) {
        const host::ApiToken& t = *found.value();
        who = Principal{t.name, std::set<std::string>(t.scopes.begin(), t.scopes.end()),
                        t.rate_per_s};
      }
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  ++lookups_;
  // A store that cannot be read refuses the request and is asked again next time.
  if (answered) {
    if (cache_.size() >= kMaxCached) cache_.clear();
    cache_[key] = Cached{who, now};
  }
  return who;
}

}  // namespace vigil::service
