#include "service/http_api.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <nlohmann/json.hpp>

namespace vigil::service {

std::string HttpRequest::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

HttpResponse JsonError(int status, const std::string& message) {
  HttpResponse response;
  response.status = status;
  // Replace, not throw, on invalid UTF-8: a message may quote what a client sent.
  response.body = nlohmann::json{{"error", message}, {"code", status}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

// [SECTION] Router -----------------------------------------------------------------------

namespace {

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  if (!path.empty() && path[0] == '/') start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

bool MatchPattern(std::string_view pattern, std::string_view path,
                  std::map<std::string, std::string>* params) {
  auto want = Segments(pattern);
  auto have = Segments(path);
  if (want.size() != have.size()) return false;
  std::map<std::string, std::string> found;
  for (size_t i = 0; i < want.size(); ++i) {
    std::string_view w = want[i];
    if (w.size() >= 2 && w.front() == '{' && w.back() == '}') {
      if (have[i].empty()) return false;
      auto decoded = PercentDecode(have[i]);
      if (!decoded) return false;
      found[std::string(w.substr(1, w.size() - 2))] = *decoded;
    } else if (w != have[i]) {
      return false;
    }
  }
  if (params != nullptr) *params = std::move(found);
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int hi = HexValue(text[i + 1]);
    int lo = HexValue(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

void Router::Add(Route route) { routes_.push_back(std::move(route)); }

const Route* Router::Match(std::string_view method, std::string_view path,
                           std::map<std::string, std::string>* params, bool* path_known) const {
  bool known = false;
  for (const Route& route : routes_) {
    std::map<std::string, std::string> found;
    if (!MatchPattern(route.pattern, path, &found)) continue;
    known = true;
    if (route.method == method) {
      if (params != nullptr) *params = std::move(found);
      if (path_known != nullptr) *path_known = true;
      return &route;
    }
  }
  if (path_known != nullptr) *path_known = known;
  return nullptr;
}

// [SECTION] Auth and rate limits ---------------------------------------------------------

int RateLimiter::Take(const std::string& name, double rate_per_s, Clock::time_point now) {
  if (rate_per_s <= 0) return 0;
  const double burst = std::max(1.0, rate_per_s);
  std::lock_guard<std::mutex> lock(mutex_);
  auto [it, fresh] = buckets_.try_emplace(name);
  Bucket& bucket = it->second;
  if (fresh) {
    bucket.tokens = burst;
  } else {
    double elapsed = std::chrono::duration<double>(now - bucket.at).count();
    if (elapsed > 0) bucket.tokens = std::min(burst, bucket.tokens + elapsed * rate_per_s);
  }
  if (fresh || now > bucket.at) bucket.at = now;
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return 0;
  }
  double wait = (1.0 - bucket.tokens) / rate_per_s;
  return std::max(1, static_cast<int>(std::ceil(wait)));
}

// [SECTION] Dispatch ---------------------------------------------------------------------

namespace {

// The token of "Authorization: Bearer <token>", or "" when there is none.
std::string BearerToken(const HttpRequest& request) {
  std::string value = request.Header("authorization");
  constexpr std::string_view kPrefix = "bearer ";
  if (value.size() <= kPrefix.size()) return "";
  for (size_t i = 0; i < kPrefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != kPrefix[i]) return "";
  }
  std::string token = value.substr(kPrefix.size());
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.pop_back();
  return token;
}

HttpResponse RouteAndRun(const DispatchContext& context, HttpRequest& request,
                         std::string* route_name) {
  bool path_known = false;
  const struct Route* route =
      context.router->Match(request.method, request.path, &request.params, &path_known);
  if (route == nullptr) {
    if (path_known) return JsonError(405, "method " + request.method + " not allowed here");
    return JsonError(404, "no such route: " + request.method + " " + request.path);
  }
  *route_name = route->pattern;
  if (!route->scopes.empty()) {
    std::string token = BearerToken(request);
    if (token.empty()) {
      HttpResponse r = JsonError(401, "missing bearer token (Authorization: Bearer vgl_...)");
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return r;
    }
    std::optional<Principal> who;
    if (context.auth != nullptr) who = context.auth->Authenticate(token);
    if (!who) {
      HttpResponse r = JsonError(401, "unknown or revoked token");
      r.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      return r;
    }
    bool allowed = std::any_of(route->scopes.begin(), route->scopes.end(),
                               [&](const std::string& s) { return who->scopes.count(s) > 0; });
    if (!allowed) {
      std::string need;
      for (const auto& s : route->scopes) need += (need.empty() ? "" : " or ") + s;
      return JsonError(403, "token " + who->name + " lacks the scope " + need);
    }
    if (context.limiter != nullptr) {
      int wait = context.limiter->Take(who->name, who->rate_per_s);
      if (wait > 0) {
        HttpResponse r = JsonError(429, "token " + who->name + " is over its rate limit");
        r.headers.emplace_back("Retry-After", std::to_string(wait));
        return r;
      }
    }
    request.token_name = who->name;
  }
  try {
    return route->handler(request);
  } catch (const std::exception& e) {
    return JsonError(500, std::string("internal error: ") + e.what());
  } catch (...) {
    return JsonError(500, "internal error");
  }
}

}  // namespace

HttpResponse Dispatch(const DispatchContext& context, HttpRequest& request) {
  auto start = std::chrono::steady_clock::now();
  std::string route_name = "unmatched";
  HttpResponse response = RouteAndRun(context, request, &route_name);
  if (context.observer != nullptr) {
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    context.observer->Observe(route_name, response.status, seconds);
  }
  return response;
}

}  // namespace vigil::service
