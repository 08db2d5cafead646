// libcurl transport: a pool of easy handles over one share object (DNS cache
// and TLS sessions are shared). Each pooled handle keeps its connections alive,
// so a request reuses one and no handle is created in steady state.
#include <curl/curl.h>

#include <array>
#include <cctype>
#include <exception>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "lakefs/errors.hpp"
#include "lakefs/transport.hpp"
#include "lakefs/version.hpp"
#include "transport/error_mapping.hpp"
#include "transport/redaction.hpp"
#include "transport/request_checks.hpp"
#include "transport/retry.hpp"

namespace lakefs {
namespace http {

std::optional<std::string_view> Response::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() != name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < key.size() && same; ++i) {
      same = key[i] == std::tolower(static_cast<unsigned char>(name[i]));
    }
    if (same) return value;
  }
  return std::nullopt;
}

void append_encoded(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
}

}  // namespace http

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Scheme://host:port of the endpoint, for error messages (never credentials:
// endpoints with user-info are rejected when the client is configured).
std::string origin_of(const std::string& endpoint) {
  const auto scheme = endpoint.find("://");
  const auto slash = endpoint.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return endpoint.substr(0, slash);
}

struct CurlSlist {
  curl_slist* list = nullptr;
  ~CurlSlist() { curl_slist_free_all(list); }
  void add(const std::string& line) {
    if (auto* next = curl_slist_append(list, line.c_str())) list = next;
  }
};

// State of one transfer, reached from libcurl's callbacks.
struct Transfer {
  const http::Request* request;
  http::Response* response;
  CURL* easy;
  std::exception_ptr callback_error;
  long status = 0;
  /// A streaming body was read from or delivered to the caller: the request cannot be replayed.
  bool streamed = false;

  bool streaming_body() {
    if (!request->body_sink) return false;
    if (status == 0) curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    return status >= 200 && status < 300;
  }
};

std::size_t on_write(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  try {
    if (t->streaming_body()) {
      t->streamed = true;
      t->request->body_sink(std::string_view(data, n));
    } else {
      t->response->body.append(data, n);
    }
  } catch (...) {
    t->callback_error = std::current_exception();
    return CURL_WRITEFUNC_ERROR;
  }
  return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {  // a new response (after 100 Continue or a redirect)
    t->response->headers.clear();
    t->status = 0;
    return n;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
    value.remove_suffix(1);
  t->response->headers.emplace_back(std::move(name), std::string(value));
  return n;
}

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  try {
    t->streamed = true;
    return t->request->body_source(buffer, size * count);
  } catch (...) {
    t->callback_error = std::current_exception();
    return CURL_READFUNC_ABORT;
  }
}

}  // namespace

struct Transport::Impl {
  TransportOptions options;
  std::string origin;
  std::string auth_header;
  detail::Redactor redactor;
  std::string user_agent;
  CURLSH* share = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> share_locks;
  std::mutex pool_mutex;
  std::vector<CURL*> pool;

  explicit Impl(TransportOptions opts) : options(std::move(opts)) {
    global_init();
    origin = origin_of(options.endpoint);
    if (!options.session_token.empty()) {
      auth_header = "Authorization: Bearer " + options.session_token;
    } else if (!options.access_key_id.empty()) {
      auth_header = "Authorization: Basic " + detail::base64(options.access_key_id + ":" + options.secret_access_key);
    }
    redactor = detail::Redactor(options.access_key_id, options.secret_access_key, options.session_token);
    user_agent = std::string("lakefs-cpp/") + sdk_version;
    if (!options.user_agent_suffix.empty()) user_agent += " " + options.user_agent_suffix;

    share = curl_share_init();
    curl_share_setopt(
        share, CURLSHOPT_LOCKFUNC, +[](CURL*, curl_lock_data data, curl_lock_access, void* user) {
          static_cast<Impl*>(user)->share_locks[static_cast<std::size_t>(data)].lock();
        });
    curl_share_setopt(
        share, CURLSHOPT_UNLOCKFUNC, +[](CURL*, curl_lock_data data, void* user) {
          static_cast<Impl*>(user)->share_locks[static_cast<std::size_t>(data)].unlock();
        });
    curl_share_setopt(share, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }

  ~Impl() {
    for (CURL* easy : pool) curl_easy_cleanup(easy);
    curl_share_cleanup(share);
  }

  CURL* acquire() {
    {
      std::lock_guard lock(pool_mutex);
      if (!pool.empty()) {
        CURL* easy = pool.back();
        pool.pop_back();
        return easy;
      }
    }
    CURL* easy = curl_easy_init();
    if (easy == nullptr) throw TransportError("cannot create a libcurl handle", origin);
    return easy;
  }

  void release(CURL* easy) {
    std::lock_guard lock(pool_mutex);
    if (pool.size() < options.max_connections) {
      pool.push_back(easy);
      return;
    }
    curl_easy_cleanup(easy);
  }

  // One attempt's result: the libcurl code (and message) or the response, whatever its status.
  struct Attempt {
    CURLcode code = CURLE_OK;
    std::string curl_message;
    http::Response response;
    bool streamed = false;
    /// Some of the request reached the wire (so the server may have acted on it).
    bool sent = false;
  };

  http::Response send(const http::Request& request) {
    detail::check_request(request);
    const std::string method(request.method);
    const bool idempotent = detail::is_idempotent(method);
    // At most once on the wire: libcurl silently re-sends a request whose kept-alive connection turned out dead
    // before any answer came back, even after the server received and applied it. For a commit or merge that is a
    // second commit. A fresh connection is never re-sent that way. A DELETE goes fresh too, so that only this retry
    // loop repeats it and knows when an earlier attempt may have been applied (see the 404 rule below).
    // GET, HEAD and PUT keep reusing connections.
    const bool fresh_connection = !idempotent || method == "DELETE";
    thread_local std::minstd_rand jitter_source{std::random_device{}()};
    // An earlier attempt was sent and its answer lost: the server may have applied it.
    bool earlier_attempt_unanswered = false;
    for (int attempt = 0;; ++attempt) {
      Attempt result = send_once(request, fresh_connection);
      detail::Outcome outcome = detail::Outcome::ok;
      std::optional<std::chrono::seconds> retry_after;
      switch (result.code) {
        case CURLE_OK:
          outcome = detail::outcome_of_status(result.response.status);
          if (auto header = result.response.header("retry-after")) retry_after = detail::parse_retry_after(*header);
          break;
        case CURLE_COULDNT_CONNECT:
        case CURLE_COULDNT_RESOLVE_HOST:
          outcome = detail::Outcome::cannot_connect;
          break;
        case CURLE_OPERATION_TIMEDOUT:
          outcome = detail::Outcome::timed_out;
          break;
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
          outcome = detail::Outcome::connection_dropped;
          break;
        default:
          break;
      }
      if (detail::should_retry(method, outcome, attempt, options.max_retries, result.streamed)) {
        if (result.code != CURLE_OK && result.sent) earlier_attempt_unanswered = true;
        const double jitter = std::uniform_real_distribution<double>(0.0, 1.0)(jitter_source);
        std::this_thread::sleep_for(detail::retry_delay(attempt, options.retry_backoff, retry_after, jitter));
        continue;
      }
      if (result.code != CURLE_OK) {
        detail::throw_transport_error(result.code, result.curl_message.c_str(), method, request.path, origin,
                                      !idempotent && result.sent);
      }
      const int status = result.response.status;
      if (status == 404 && method == "DELETE" && earlier_attempt_unanswered) {
        // The first DELETE was applied and its answer lost; the retry finds nothing left to delete. Deleting is
        // what was asked, and it happened: report success, not "not found".
        result.response.status = 204;
        result.response.body.clear();
        return std::move(result.response);
      }
      if (status < 200 || status >= 300) detail::throw_server_error(result.response, method, request.path, redactor);
      return std::move(result.response);
    }
  }

  Attempt send_once(const http::Request& request, bool fresh_connection) {
    CURL* easy = acquire();
    struct Releaser {
      Impl* impl;
      CURL* easy;
      ~Releaser() { impl->release(easy); }
    } releaser{this, easy};

    Attempt result;
    http::Response& response = result.response;
    Transfer transfer{&request, &response, easy, nullptr};
    char error_buffer[CURL_ERROR_SIZE] = {0};
    CurlSlist headers;

    curl_easy_reset(easy);
    std::string url;
    if (!request.absolute_url.empty()) {
      url = request.absolute_url;
    } else {
      url = options.endpoint;
      url += request.path;
      if (!request.query.empty()) {
        url += '?';
        url += request.query;
      }
    }
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    // The path is sent exactly as built: libcurl must not collapse "." or ".." segments (ids are checked anyway).
    curl_easy_setopt(easy, CURLOPT_PATH_AS_IS, 1L);
    if (fresh_connection) curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(easy, CURLOPT_SHARE, share);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, user_agent.c_str());
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPIDLE, 30L);   // probe an idle connection after 30 s,
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPINTVL, 15L);  // then every 15 s: a dead peer is noticed
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(options.request_timeout.count()));
    if (options.low_speed_timeout.count() > 0) {
      curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
      curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME,
                       static_cast<long>((options.low_speed_timeout.count() + 999) / 1000));
    }
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, options.verify_tls ? 1L : 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, options.verify_tls ? 2L : 0L);
    if (!options.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, options.ca_file.c_str());
    if (!options.ca_path.empty()) curl_easy_setopt(easy, CURLOPT_CAPATH, options.ca_path.c_str());
    if (!options.proxy.empty()) curl_easy_setopt(easy, CURLOPT_PROXY, options.proxy.c_str());
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &transfer);

    if (!request.anonymous && request.absolute_url.empty() && !auth_header.empty()) headers.add(auth_header);
    headers.add("Expect:");  // no 100-continue round trip before bodies
    headers.add("Accept: application/json");
    for (const auto& [name, value] : request.headers) headers.add(name + ": " + value);
    if (!request.content_type.empty()) headers.add("Content-Type: " + request.content_type);

    const std::string method(request.method);
    if (request.body_source) {
      curl_easy_setopt(easy, CURLOPT_READFUNCTION, on_read);
      curl_easy_setopt(easy, CURLOPT_READDATA, &transfer);
      if (method == "PUT") {
        curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
        if (request.body_length) {
          curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(*request.body_length));
        }
      } else {
        curl_easy_setopt(easy, CURLOPT_POST, 1L);
        if (request.body_length) {
          curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(*request.body_length));
        } else {
          headers.add("Transfer-Encoding: chunked");
        }
        if (method != "POST") curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method.c_str());
      }
    } else if (!request.body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      if (method != "POST") curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method.c_str());
    } else if (method == "HEAD") {
      curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else if (method != "GET") {
      curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers.list);

    result.code = curl_easy_perform(easy);
    result.streamed = transfer.streamed;
    long request_size = 0;
    curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &request_size);
    result.sent = request_size > 0 || transfer.streamed;
    if (transfer.callback_error) std::rethrow_exception(transfer.callback_error);
    if (result.code != CURLE_OK) {
      result.curl_message = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(result.code);
      return result;
    }
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    return result;
  }
};

Transport::Transport(TransportOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Transport::~Transport() = default;

http::Response Transport::send(const http::Request& request) const { return impl_->send(request); }

const TransportOptions& Transport::options() const noexcept { return impl_->options; }

}  // namespace lakefs
