// SPDX-License-Identifier: Apache-2.0
// One libcurl easy handle set up for the SDK's requests, and what every handle
// of one transport shares (options, User-Agent, proxies, the DNS cache and TLS
// sessions). The blocking pool (curl_transport.cpp) drives each handle on a
// multi handle of its own; the asynchronous engine (src/async/engine.cpp)
// drives many on one multi handle. Both set a handle up and read its result
// the same way, here.
#pragma once

#include <curl/curl.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lakefs/http.hpp"
#include "lakefs/transport_options.hpp"
#include "transport/proxy_environment.hpp"

namespace lakefs::detail::curl {

/// curl_global_init, once per process.
void global_init();

// State of one transfer, reached from libcurl's callbacks.
struct Transfer {
  const http::Request* request;
  http::Response* response;
  CURL* easy;
  std::exception_ptr callback_error;
  long status = 0;
  /// A streaming body was read from or delivered to the caller: the request cannot be replayed.
  bool streamed = false;
  std::uint64_t streamed_in = 0;
  /// Set by the engine when the request's body_sink is a PacedSinkRef: the sink may pause the transfer, and this
  /// wakes it (see transport/paced_sink.hpp). Empty in the blocking pool.
  std::function<void()> wake{};

  bool streaming_body() {
    if (!request->body_sink) return false;
    if (status == 0) curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    return status >= 200 && status < 300;
  }

  /// Hands the 2xx response's head to the request's body_start hook, once.
  bool started = false;
  void start_body() {
    if (started) return;
    started = true;
    if (!request->body_start) return;
    response->status = static_cast<int>(status);
    request->body_start(*response);
  }
};

// How a request's method and body are expressed in libcurl's options. Each kind is set from a known state
// (a plain GET), so nothing one request set survives into the next.
enum class Kind {
  get,             // GET without a body: the state every other kind is reset to first
  head,            // NOBODY
  custom,          // another method without a body (DELETE): CUSTOMREQUEST on a GET
  upload,          // PUT from body_source: UPLOAD (+ INFILESIZE)
  post_streamed,   // POST/PATCH/... from body_source: POST with the read callback (+ POSTFIELDSIZE)
  post_in_memory,  // a body held in memory (or none for POST/PUT/PATCH): POSTFIELDS (+ CUSTOMREQUEST)
};

// An easy handle (and, in the blocking pool, the multi handle that drives it alone), with the state of one
// transfer that libcurl's callbacks reach. In the pool the pair stays together: the multi handle owns the
// kept-alive connections, and driving the transfer ourselves (rather than curl_easy_perform) lets a stop request
// wake the wait at once (curl_multi_wakeup) instead of at libcurl's next once-a-second progress call.
// The easy handle keeps its options from one request to the next (no curl_easy_reset): the constant ones are
// set once, when the handle is made; a request sets only what varies and what differs from the last request
// on this handle, which the `applied_*` fields below remember.
struct Handle {
  CURL* easy = nullptr;
  CURLM* multi = nullptr;
  Transfer transfer{};                       // WRITEDATA, HEADERDATA and READDATA point here
  char error_buffer[CURL_ERROR_SIZE] = {0};  // ERRORBUFFER
  std::string url;                           // built here: its capacity is reused
  std::string applied_url;                   // the URL set on `easy`

  Kind applied_kind = Kind::get;
  bool applied_fresh = false;
  bool applied_follow = false;
  long applied_timeout_ms = -1;
  const std::string* applied_proxy = nullptr;  // one of the transport's `proxies`

  // The header list set as HTTPHEADER, and what it was built from. Rebuilt only when a request needs other
  // lines; its Authorization line is kept apart, rebuilt only when the credentials change. Both hold
  // credentials: they never leave this handle (no log, no error message) and are wiped with it.
  curl_slist* headers = nullptr;
  bool headers_built = false;
  bool built_body = false;
  bool built_chunked = false;
  std::string built_content_type;
  std::vector<http::Header> built_headers;
  http::Authorization::Scheme auth_scheme = http::Authorization::Scheme::none;
  std::string auth_user;
  std::string auth_secret;
  std::string auth_line;

  Handle() = default;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() {
    if (multi != nullptr) curl_multi_cleanup(multi);
    if (easy != nullptr) curl_easy_cleanup(easy);
    free_list(headers);
    wipe(auth_secret);
    wipe(auth_line);
  }
  static void wipe(char* p, std::size_t n) {
    volatile char* v = p;
    for (std::size_t i = 0; i < n; ++i) v[i] = 0;
  }
  static void wipe(std::string& s) { wipe(s.data(), s.size()); }
  static void free_list(curl_slist* list) {  // its Authorization line wiped first
    for (curl_slist* line = list; line != nullptr; line = line->next) wipe(line->data, std::strlen(line->data));
    curl_slist_free_all(list);
  }
};

/// What every handle of one transport shares, and how a handle is set up for a request and read afterwards.
class Setup {
 public:
  /// Throws ConfigurationError for a receive buffer size outside libcurl's limits.
  explicit Setup(TransportOptions options);
  ~Setup();
  Setup(const Setup&) = delete;
  Setup& operator=(const Setup&) = delete;

  [[nodiscard]] const TransportOptions& options() const noexcept { return options_; }

  /// A new easy handle with the options every request shares (no multi handle); null when libcurl cannot make one.
  [[nodiscard]] std::unique_ptr<Handle> make_handle() const;

  /// Sets `handle` up for one attempt of `request`, its answer going to `response`; both must outlive the
  /// transfer. Throws (std::bad_alloc) when libcurl refuses an option: the handle must then not be reused.
  void prepare(Handle& handle, const http::Request& request, http::Response& response) const;

  /// Fills `result` (whose response prepare() was given) from the transfer that ended on `handle` with `code`.
  static void finish(Handle& handle, CURLcode code, const http::Request& request, http::Result& result);

 private:
  // CURLOPT_BUFFERSIZE's range: libcurl would silently clamp a value outside it.
  static constexpr std::size_t kMinReceiveBuffer = 1024;
  static constexpr std::size_t kMaxReceiveBuffer = CURL_MAX_READ_SIZE;  // 10 MiB

  void set_constant_options(Handle& handle) const;
  static void set_method(Handle& handle, const http::Request& request, Kind kind, const std::string& method);
  static void set_headers(Handle& handle, const http::Request& request, bool has_body, bool chunked);

  TransportOptions options_;
  std::string user_agent_;
  ProxySettings proxies_;  // read once: libcurl would read the environment on every request
  CURLSH* share_ = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> share_locks_;
};

/// The Failure a libcurl error code stands for.
[[nodiscard]] http::Failure failure_of(CURLcode code);

}  // namespace lakefs::detail::curl
