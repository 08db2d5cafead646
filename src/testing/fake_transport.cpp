// SPDX-License-Identifier: Apache-2.0
#include "lakefs/testing/fake_transport.hpp"

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <exception>
#include <iterator>
#include <ostream>
#include <stdexcept>
#include <stop_token>
#include <utility>

namespace lakefs::testing {
namespace {

using Param = std::pair<std::string, std::string>;

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `text`; a '%' not followed by two hex digits stays as it is.
std::string decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

// The query's parameters, decoded, in order ("a" alone is ("a", "")).
std::vector<Param> parse_query(std::string_view query) {
  std::vector<Param> params;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    params.emplace_back(decode(pair.substr(0, eq)),
                        eq == std::string_view::npos ? std::string() : decode(pair.substr(eq + 1)));
  }
  return params;
}

std::string json_quoted(std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (ch == '\n') {
      out += "\\n";
    } else if (c < 0x20) {
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 0xF];
    } else {
      out += ch;
    }
  }
  out += '"';
  return out;
}

// What routes match a request against: the path and query below the API
// root, or a pre-signed URL split at '?'.
struct Target {
  std::string path;
  std::string query;
};

Target target_of(const http::Request& request) {
  if (request.absolute_url.empty()) return {request.path, request.query};
  const auto question = request.absolute_url.find('?');
  if (question == std::string::npos) return {request.absolute_url, ""};
  return {request.absolute_url.substr(0, question), request.absolute_url.substr(question + 1)};
}

// Waits `delay`; returns early with Failure::cancelled when `stop` is
// triggered, or Failure::timed_out (after `timeout`) when `delay` exceeds a
// non-zero `timeout`.
http::Failure wait(std::chrono::milliseconds delay, std::optional<std::chrono::milliseconds> timeout,
                   const std::stop_token& stop) {
  const bool times_out = timeout && timeout->count() > 0 && delay > *timeout;
  const auto span = times_out ? *timeout : delay;
  std::mutex mutex;
  std::condition_variable_any wake;
  std::unique_lock lock(mutex);
  if (wake.wait_for(lock, stop, span, [] { return false; }) || stop.stop_requested()) return http::Failure::cancelled;
  return times_out ? http::Failure::timed_out : http::Failure::none;
}

}  // namespace

// ---------------------------------------------------------------- Reply

Reply Reply::json(int status, std::string json) {
  Reply reply;
  reply.status = status;
  reply.body = std::move(json);
  reply.headers.emplace_back("content-type", "application/json");
  return reply;
}

Reply Reply::content(int status, std::string bytes, std::string content_type) {
  Reply reply;
  reply.status = status;
  reply.body = std::move(bytes);
  reply.headers.emplace_back("content-type", std::move(content_type));
  reply.headers.emplace_back("content-length", std::to_string(reply.body.size()));
  return reply;
}

Reply Reply::empty(int status) {
  Reply reply;
  reply.status = status;
  return reply;
}

Reply Reply::error(int status, std::string_view message) {
  return json(status, "{\"message\":" + json_quoted(message) + "}");
}

Reply Reply::fail(http::Failure failure, bool request_sent) {
  Reply reply;
  reply.failure = failure;
  reply.request_sent = request_sent;
  return reply;
}

Reply& Reply::with_header(std::string name, std::string value) & {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

Reply&& Reply::with_header(std::string name, std::string value) && {
  headers.emplace_back(std::move(name), std::move(value));
  return std::move(*this);
}

// ---------------------------------------------------------------- RecordedRequest

std::optional<std::string> RecordedRequest::header(std::string_view name) const {
  const std::string wanted = lower(name);
  for (const auto& [key, value] : headers) {
    if (lower(key) == wanted) return value;
  }
  if (wanted == "content-type" && !content_type.empty()) return content_type;
  return std::nullopt;
}

std::optional<std::string> RecordedRequest::query_param(std::string_view name) const {
  std::string_view text = query;
  if (!absolute_url.empty()) {
    const auto question = absolute_url.find('?');
    text = question == std::string::npos ? std::string_view() : std::string_view(absolute_url).substr(question + 1);
  }
  for (auto& [key, value] : parse_query(text)) {
    if (key == name) return std::move(value);
  }
  return std::nullopt;
}

std::string RecordedRequest::describe() const {
  std::string out = method + " ";
  if (!absolute_url.empty()) {
    const auto question = absolute_url.find('?');
    out += absolute_url.substr(0, question);
    if (question != std::string::npos) out += "?…";  // a signature may be in there
    out += " (pre-signed URL, ";
  } else {
    out += path;
    if (!query.empty()) out += "?" + query;
    out += " (";
  }
  if (anonymous) {
    out += "anonymous";
  } else {
    switch (authorization.scheme) {
      case http::Authorization::Scheme::none:
        out += "no credentials";
        break;
      case http::Authorization::Scheme::basic:
        out += "basic auth";
        break;
      case http::Authorization::Scheme::bearer:
        out += "bearer auth";
        break;
    }
  }
  if (!body.empty() || streamed)
    out += ", " + std::to_string(body.size()) + " B " + (streamed ? "streamed " : "") + "body";
  out += ")";
  if (!scripted) out += " [unscripted]";
  return out;
}

std::ostream& operator<<(std::ostream& out, const RecordedRequest& request) { return out << request.describe(); }

// ---------------------------------------------------------------- FakeTransport

struct FakeTransport::Route {
  std::string method;
  std::string path;
  std::string query;          // as given to on(), identifies the route
  std::vector<Param> params;  // decoded; every one must be in the request
  std::deque<Reply> queue{};
  std::optional<Reply> always{};
  std::size_t used = 0;

  [[nodiscard]] bool matches(std::string_view request_method, const Target& target,
                             const std::vector<Param>& request_params) const {
    if (request_method != method || target.path != path) return false;
    return std::all_of(params.begin(), params.end(), [&](const Param& wanted) {
      return std::find(request_params.begin(), request_params.end(), wanted) != request_params.end();
    });
  }
};

struct FakeTransport::Chosen {
  Reply reply;
  std::size_t index;  // of the recorded request
};

FakeTransport::FakeTransport() = default;
FakeTransport::~FakeTransport() = default;

FakeTransport::Script& FakeTransport::Script::reply(Reply reply) {
  std::lock_guard lock(owner_->mutex_);
  owner_->routes_[route_]->queue.push_back(std::move(reply));
  return *this;
}

FakeTransport::Script& FakeTransport::Script::always(Reply reply) {
  std::lock_guard lock(owner_->mutex_);
  owner_->routes_[route_]->always = std::move(reply);
  return *this;
}

FakeTransport::Script FakeTransport::on(std::string_view method, std::string_view path, std::string_view query) {
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const Route& route = *routes_[i];
    if (route.method == method && route.path == path && route.query == query) return Script(this, i);
  }
  auto route = std::make_unique<Route>();
  route->method = std::string(method);
  route->path = std::string(path);
  route->query = std::string(query);
  route->params = parse_query(query);
  routes_.push_back(std::move(route));
  return Script(this, routes_.size() - 1);
}

FakeTransport::Chosen FakeTransport::choose(const http::Request& request) {
  RecordedRequest record;
  record.method = std::string(request.method);
  record.path = request.path;
  record.query = request.query;
  record.absolute_url = request.absolute_url;
  record.headers = request.headers;
  record.content_type = request.content_type;
  record.streamed = static_cast<bool>(request.body_source);
  if (!record.streamed) record.body = request.body;
  record.body_length = request.body_length;
  record.authorization = request.authorization;
  record.anonymous = request.anonymous;
  record.call = request.call;
  record.stoppable = request.call.stop.stop_possible();

  std::lock_guard lock(mutex_);
  const std::size_t index = requests_.size();
  if (request.call.stop.stop_requested()) {
    requests_.push_back(std::move(record));
    Reply cancelled = Reply::fail(http::Failure::cancelled, false);
    cancelled.failure_message = "FakeTransport: the request's stop token was triggered before it was sent";
    return {std::move(cancelled), index};
  }

  const Target target = target_of(request);
  const std::vector<Param> params = parse_query(target.query);
  const Route* exhausted = nullptr;
  for (const bool with_query : {true, false}) {
    for (const auto& route : routes_) {
      if (route->params.empty() == with_query || !route->matches(request.method, target, params)) continue;
      if (!route->queue.empty()) {
        Reply reply = std::move(route->queue.front());
        route->queue.pop_front();
        ++route->used;
        requests_.push_back(std::move(record));
        return {std::move(reply), index};
      }
      if (route->always) {
        ++route->used;
        requests_.push_back(std::move(record));
        return {*route->always, index};
      }
      if (exhausted == nullptr) exhausted = route.get();
    }
  }

  // The server config nobody scripted: a local block store, as a quickstart server has. The SDK asks for it once
  // per client before a transfer (can it pre-sign?); without this every test that moves data would have to script it.
  if (exhausted == nullptr && request.method == "GET" && request.absolute_url.empty() &&
      (target.path == "/config" || target.path == "/config/storage")) {
    static constexpr std::string_view kLocal =
        R"({"blockstore_type":"local","blockstore_namespace_example":"local://example-bucket/",)"
        R"("blockstore_namespace_ValidityRegex":"^local://","pre_sign_support":false,)"
        R"("pre_sign_support_ui":false,"import_support":true,"import_validity_regex":"^local://",)"
        R"("pre_sign_multipart_upload":false,"blockstore_id":""})";
    requests_.push_back(std::move(record));
    if (target.path == "/config/storage") return {Reply::json(200, std::string(kLocal)), index};
    return {Reply::json(200, R"({"version_config":{"version":"1.84.0"},"storage_config":)" + std::string(kLocal) +
                                 R"(,"storage_config_list":[]})"),
            index};
  }

  // Unscripted: a 404 that names the request, so the failure says what to script.
  record.scripted = false;
  std::string named = record.method + " " + target.path;
  if (!target.query.empty()) named += request.absolute_url.empty() ? "?" + target.query : "?…";
  std::string message = "FakeTransport: no reply scripted for " + named;
  if (exhausted != nullptr) {
    message = "FakeTransport: no reply left for " + named + " (all " + std::to_string(exhausted->used) +
              " scripted for it were used)";
  }
  requests_.push_back(std::move(record));
  return {Reply::error(404, message), index};
}

void FakeTransport::start(http::Request request, http::Completion done) {
  Chosen chosen = choose(request);
  const Reply& reply = chosen.reply;
  http::Result result;
  const bool reaches_server = reply.failure == http::Failure::none || reply.request_sent || !reply.body.empty();

  // The request goes out: a streaming body is read to its end and recorded.
  if (reaches_server && reply.failure != http::Failure::cancelled) {
    result.request_sent = true;
    if (request.body_source) {
      result.body_streamed = true;
      std::string drained;
      try {
        std::string buffer(64 * 1024, '\0');
        while (const std::size_t n = request.body_source(buffer.data(), buffer.size())) {
          drained.append(buffer.data(), std::min(n, buffer.size()));
        }
      } catch (...) {
        result.callback_error = std::current_exception();
      }
      result.bytes_sent = drained.size();
      {
        std::lock_guard lock(mutex_);
        if (chosen.index < requests_.size()) requests_[chosen.index].body = std::move(drained);
      }
      if (result.callback_error) {
        result.failure = http::Failure::other;
        result.failure_message = "FakeTransport: the request's body source threw";
        done(std::move(result));
        return;
      }
    } else {
      result.bytes_sent = request.body.size();
    }
  }

  // The server takes its time.
  if (reply.delay.count() > 0) {
    const http::Failure waited = wait(reply.delay, request.call.timeout, request.call.stop);
    if (waited != http::Failure::none) {
      result.failure = waited;
      result.failure_message = std::string("FakeTransport: ") + std::string(http::to_string(waited)) +
                               " while waiting " + std::to_string(reply.delay.count()) + " ms to answer";
      done(std::move(result));
      return;
    }
  }

  if (reply.failure != http::Failure::none && reply.body.empty()) {
    result.request_sent = reply.request_sent;
    result.failure = reply.failure;
    result.failure_message = reply.failure_message.empty() ? std::string("FakeTransport: scripted failure: ") +
                                                                 std::string(http::to_string(reply.failure))
                                                           : reply.failure_message;
    done(std::move(result));
    return;
  }

  // An answer (or the part of one that arrived before a scripted failure).
  http::Response& response = result.response;
  response.status = reply.status;
  for (const auto& [name, value] : reply.headers) response.headers.emplace_back(lower(name), value);
  const bool has_body = request.method != "HEAD";
  const bool to_sink = has_body && request.body_sink && reply.status >= 200 && reply.status < 300;
  if (to_sink) {
    const std::size_t chunk = std::max<std::size_t>(reply.chunk_size, 1);
    try {
      if (request.body_start) request.body_start(response);
      for (std::size_t at = 0; at < reply.body.size(); at += chunk) {
        result.body_streamed = true;
        const std::string_view piece = std::string_view(reply.body).substr(at, chunk);
        request.body_sink(piece);
        result.bytes_received += piece.size();
      }
    } catch (...) {
      result.callback_error = std::current_exception();
      result.failure = http::Failure::other;
      result.failure_message = "FakeTransport: the request's body sink threw";
    }
  } else if (has_body && reply.failure == http::Failure::none) {
    response.body = reply.body;
    result.bytes_received = reply.body.size();
  } else if (has_body) {
    result.bytes_received = reply.body.size();  // received, then the connection failed: nothing usable
  }
  if (!result.callback_error && reply.failure != http::Failure::none) {
    result.request_sent = true;
    result.failure = reply.failure;
    result.failure_message = reply.failure_message.empty()
                                 ? std::string("FakeTransport: scripted failure after ") +
                                       std::to_string(reply.body.size()) +
                                       " B of the body: " + std::string(http::to_string(reply.failure))
                                 : reply.failure_message;
  }
  done(std::move(result));
}

std::vector<RecordedRequest> FakeTransport::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

RecordedRequest FakeTransport::last() const {
  std::lock_guard lock(mutex_);
  if (requests_.empty()) throw std::logic_error("FakeTransport::last(): no request was received");
  return requests_.back();
}

std::size_t FakeTransport::count() const {
  std::lock_guard lock(mutex_);
  return requests_.size();
}

std::size_t FakeTransport::count(std::string_view method, std::string_view path) const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(requests_.begin(), requests_.end(), [&](const RecordedRequest& r) {
    return r.method == method && r.path == path;
  }));
}

std::vector<RecordedRequest> FakeTransport::unscripted() const {
  std::lock_guard lock(mutex_);
  std::vector<RecordedRequest> out;
  std::copy_if(requests_.begin(), requests_.end(), std::back_inserter(out),
               [](const RecordedRequest& r) { return !r.scripted; });
  return out;
}

std::size_t FakeTransport::remaining() const {
  std::lock_guard lock(mutex_);
  std::size_t total = 0;
  for (const auto& route : routes_) total += route->queue.size();
  return total;
}

void FakeTransport::clear_requests() {
  std::lock_guard lock(mutex_);
  requests_.clear();
}

// ---------------------------------------------------------------- make_client

Client make_client(std::shared_ptr<FakeTransport> transport, ClientOptions options) {
  options.transport = std::move(transport);
  options.explicit_only = true;
  if (options.endpoint.empty()) options.endpoint = std::string(test_endpoint);
  if (!options.credentials && options.access_key_id.empty() && options.secret_access_key.empty() &&
      options.session_token.empty()) {
    options.access_key_id = std::string(test_access_key_id);
    options.secret_access_key = std::string(test_secret_access_key);
  }
  if (!options.retry) {
    options.retry = RetryOptions{.max_retries = 3,
                                 .initial_backoff = std::chrono::milliseconds(1),
                                 .max_backoff = std::chrono::milliseconds(4),
                                 .max_retry_after = std::chrono::milliseconds(20),
                                 .total_budget = std::chrono::milliseconds(0)};
  }
  return Client(options);
}

}  // namespace lakefs::testing
