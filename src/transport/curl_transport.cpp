// SPDX-License-Identifier: Apache-2.0
// The default transport: a pool of libcurl easy handles over one share object
// (DNS cache and TLS sessions are shared). Each pooled handle keeps its
// connection alive, so a request reuses one and no handle is created in
// steady state. One start() is one attempt, completed on the calling thread.
//
// The bound on connections (TransportOptions::max_connections): a handle holds
// at most one connection per server, and the pool keeps at most
// max_connections handles; a handle released beyond that is cleaned up, which
// closes its connections. So a client holds at most max_connections idle
// connections to a server, plus one per request in flight.
#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "lakefs/errors.hpp"
#include "lakefs/transport.hpp"
#include "lakefs/version.hpp"
#include "transport/proxy_environment.hpp"
#include "transport/redaction.hpp"
#include "transport/retry.hpp"

namespace lakefs {

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlSlist {
  curl_slist* list = nullptr;
  ~CurlSlist() { curl_slist_free_all(list); }
  void add(const char* line) {
    auto* next = curl_slist_append(list, line);
    if (next == nullptr) throw std::bad_alloc();  // a handle never keeps a list missing a line
    list = next;
  }
  void add(const std::string& line) { add(line.c_str()); }
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
  std::uint64_t streamed_in = 0;

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

std::size_t on_write(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  try {
    if (t->streaming_body()) {
      t->start_body();
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
  auto value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
    value.remove_suffix(1);
  try {
    // Straight into the response (no temporaries), the name lower-cased in place.
    std::string& name = t->response->headers.emplace_back(line.substr(0, colon), value).first;
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
  } catch (...) {  // no exception may cross libcurl
    t->callback_error = std::current_exception();
    return 0;
  }
  return n;
}

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  try {
    t->streamed = true;
    const std::size_t n = t->request->body_source(buffer, size * count);
    t->streamed_in += n;
    return n;
  } catch (...) {
    t->callback_error = std::current_exception();
    return CURL_READFUNC_ABORT;
  }
}

http::Failure failure_of(CURLcode code) {
  switch (code) {
    case CURLE_OK:
      return http::Failure::none;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return http::Failure::cannot_connect;
    case CURLE_OPERATION_TIMEDOUT:
      return http::Failure::timed_out;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return http::Failure::connection_dropped;
    case CURLE_ABORTED_BY_CALLBACK:
      return http::Failure::cancelled;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
      return http::Failure::tls;
    default:
      return http::Failure::other;
  }
}

}  // namespace

class CurlTransport final : public Transport {
 public:
  explicit CurlTransport(TransportOptions opts) : options(std::move(opts)) {
    if (options.receive_buffer_size < kMinReceiveBuffer || options.receive_buffer_size > kMaxReceiveBuffer) {
      throw ConfigurationError("receive_buffer_size must be between 1 KiB and 10 MiB (libcurl's limits)");
    }
    global_init();
    user_agent = std::string("lakefs-cpp/") + sdk_version;
    proxies = detail::proxy_settings(options.proxy, [](const char* name) { return std::getenv(name); });
    if (!options.user_agent_suffix.empty()) user_agent += " " + options.user_agent_suffix;

    share = curl_share_init();
    curl_share_setopt(
        share, CURLSHOPT_LOCKFUNC, +[](CURL*, curl_lock_data data, curl_lock_access, void* user) {
          static_cast<CurlTransport*>(user)->share_locks[static_cast<std::size_t>(data)].lock();
        });
    curl_share_setopt(
        share, CURLSHOPT_UNLOCKFUNC, +[](CURL*, curl_lock_data data, void* user) {
          static_cast<CurlTransport*>(user)->share_locks[static_cast<std::size_t>(data)].unlock();
        });
    curl_share_setopt(share, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }

  ~CurlTransport() override {
    pool.clear();  // the handles before the share they use
    curl_share_cleanup(share);
  }

  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  void start(http::Request request, http::Completion done) override { done(perform(request)); }

  // The attempt runs on the calling thread, on the caller's request: no copy, no hand-over.
  http::Result perform(const http::Request& request) override {
    try {
      return perform_once(request);
    } catch (...) {  // e.g. std::bad_alloc: still report, never leave the caller waiting
      http::Result result;
      result.failure = http::Failure::other;
      result.failure_message = "the transfer could not be set up";
      result.callback_error = std::current_exception();
      return result;
    }
  }

 private:
  // CURLOPT_BUFFERSIZE's range: libcurl would silently clamp a value outside it.
  static constexpr std::size_t kMinReceiveBuffer = 1024;
  static constexpr std::size_t kMaxReceiveBuffer = CURL_MAX_READ_SIZE;  // 10 MiB

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

  // An easy handle and the multi handle that drives it, with the state of one transfer that libcurl's callbacks
  // reach. The pair stays together: the multi handle owns the kept-alive connections, and driving the transfer
  // ourselves (rather than curl_easy_perform) lets a stop request wake the wait at once (curl_multi_wakeup)
  // instead of at libcurl's next once-a-second progress call.
  //
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

  TransportOptions options;
  std::string user_agent;
  detail::ProxySettings proxies;  // read once: libcurl would read the environment on every request
  CURLSH* share = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> share_locks;
  std::mutex pool_mutex;
  std::vector<std::unique_ptr<Handle>> pool;

  std::unique_ptr<Handle> acquire() {
    {
      std::lock_guard lock(pool_mutex);
      if (!pool.empty()) {
        std::unique_ptr<Handle> handle = std::move(pool.back());
        pool.pop_back();
        return handle;
      }
    }
    auto handle = std::make_unique<Handle>();
    handle->easy = curl_easy_init();
    handle->multi = curl_multi_init();
    if (handle->easy == nullptr || handle->multi == nullptr) return nullptr;
    // One connection per server on this handle. libcurl's own cache would keep up to four beside the one in use:
    // a request that must go on a fresh connection (see perform_once) would leave the kept-alive one idle there,
    // and every pooled handle would hold several. With this bound libcurl closes the handle's idle connection to
    // that server before it opens the new one (with a single transfer per multi handle, the old one is never busy,
    // so a transfer never waits for a connection).
    curl_multi_setopt(handle->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 1L);
    set_constant_options(*handle);
    return handle;
  }

  void release(std::unique_ptr<Handle> handle) {
    {
      std::lock_guard lock(pool_mutex);
      if (pool.size() < options.max_connections) {
        pool.push_back(std::move(handle));
        return;
      }
    }
    // `handle` is cleaned up here, outside the lock
  }

  // The options every request on this handle shares, set once when it is made.
  void set_constant_options(Handle& handle) const {
    CURL* easy = handle.easy;
    curl_easy_setopt(easy, CURLOPT_SHARE, share);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, handle.error_buffer);
    // The path is sent exactly as built: libcurl must not collapse "." or ".." segments (ids are checked anyway).
    curl_easy_setopt(easy, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    // Redirects are followed by reads only (FOLLOWLOCATION is set per request); libcurl sends the credentials
    // it was given only to the original host and port, never to another one.
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_UNRESTRICTED_AUTH, 0L);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, user_agent.c_str());
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPIDLE, 30L);   // probe an idle connection after 30 s,
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPINTVL, 15L);  // then every 15 s: a dead peer is noticed
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
    if (options.low_speed_timeout.count() > 0) {
      curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
      curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME,
                       static_cast<long>((options.low_speed_timeout.count() + 999) / 1000));
    }
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, options.verify_tls ? 1L : 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, options.verify_tls ? 2L : 0L);
    if (!options.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, options.ca_file.c_str());
    if (!options.ca_path.empty()) curl_easy_setopt(easy, CURLOPT_CAPATH, options.ca_path.c_str());
    // Mutual TLS: presented only when a server asks for a client certificate. Without a key file, libcurl reads
    // the key from the certificate's file.
    if (!options.client_cert_file.empty()) {
      curl_easy_setopt(easy, CURLOPT_SSLCERT, options.client_cert_file.c_str());
      curl_easy_setopt(easy, CURLOPT_SSLCERTTYPE, "PEM");
      if (!options.client_key_file.empty()) curl_easy_setopt(easy, CURLOPT_SSLKEY, options.client_key_file.c_str());
      curl_easy_setopt(easy, CURLOPT_SSLKEYTYPE, "PEM");
    }
    // The proxy is set per request, by the URL's scheme; "" here and there: libcurl must not read the environment.
    curl_easy_setopt(easy, CURLOPT_NOPROXY, proxies.no_proxy.c_str());
    curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, static_cast<long>(options.receive_buffer_size));
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &handle.transfer);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &handle.transfer);
    // Called only when a request uploads without POSTFIELDS, i.e. from a body_source.
    curl_easy_setopt(easy, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(easy, CURLOPT_READDATA, &handle.transfer);
  }

  // Sets the method and body options of `request` (of kind `kind`), starting from a plain GET whenever the last
  // request on the handle was anything else, so that no option of one request leaks into the next: a GET after
  // a POST is a plain GET.
  static void set_method(Handle& handle, const http::Request& request, Kind kind, const std::string& method) {
    CURL* easy = handle.easy;
    if (handle.applied_kind != Kind::get) {
      // Back to a plain GET. POSTFIELDS first: setting it (even to null) makes the handle a POST again.
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, static_cast<const char*>(nullptr));
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(-1));
      curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(-1));
      curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, static_cast<const char*>(nullptr));
      curl_easy_setopt(easy, CURLOPT_UPLOAD, 0L);
      curl_easy_setopt(easy, CURLOPT_NOBODY, 0L);
      curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
      handle.applied_kind = Kind::get;
    }
    switch (kind) {
      case Kind::get:
        break;
      case Kind::head:
        curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
        break;
      case Kind::custom:
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method.c_str());
        break;
      case Kind::upload:
        curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
        if (request.body_length) {
          curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(*request.body_length));
        }
        break;
      case Kind::post_streamed:
        curl_easy_setopt(easy, CURLOPT_POST, 1L);
        if (request.body_length) {
          curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(*request.body_length));
        }
        if (method != "POST") curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method.c_str());
        break;
      case Kind::post_in_memory:
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
        if (method != "POST") curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method.c_str());
        break;
    }
    handle.applied_kind = kind;
  }

  // Sets HTTPHEADER: the handle's list when it already holds exactly the lines `request` needs, else a new one.
  static void set_headers(Handle& handle, const http::Request& request, bool has_body, bool chunked) {
    // Credentials as an Authorization header built here: libcurl's own Basic/Bearer handling costs about 24 k
    // instructions per request (measured with callgrind; a fifth of a small call's client CPU), this nothing once
    // built. libcurl (7.83 and later, CVE-2022-27776) sends a custom Authorization header only to the host and
    // port it was given for, never on a redirect to another one (tests/unit/transport/redirect_test.cpp).
    const auto& auth = request.authorization;
    const bool send_auth = !request.anonymous && request.absolute_url.empty();
    const auto scheme = send_auth ? auth.scheme : http::Authorization::Scheme::none;
    bool auth_changed = scheme != handle.auth_scheme;
    if (scheme != http::Authorization::Scheme::none && !auth_changed) {
      auth_changed = auth.secret != handle.auth_secret ||
                     (scheme == http::Authorization::Scheme::basic && auth.user != handle.auth_user);
    }
    if (auth_changed) {
      Handle::wipe(handle.auth_line);
      Handle::wipe(handle.auth_secret);
      handle.auth_line.clear();
      handle.auth_scheme = scheme;
      handle.auth_user.clear();
      handle.auth_secret.clear();
      if (scheme == http::Authorization::Scheme::basic) {
        handle.auth_user = auth.user;
        handle.auth_secret = auth.secret;
        std::string pair = auth.user;
        pair += ':';
        pair += auth.secret;
        handle.auth_line = "Authorization: Basic " + detail::base64(pair);
        Handle::wipe(pair);
      } else if (scheme == http::Authorization::Scheme::bearer) {
        handle.auth_secret = auth.secret;
        handle.auth_line = "Authorization: Bearer " + auth.secret;
      }
    }
    if (handle.headers_built && !auth_changed && has_body == handle.built_body && chunked == handle.built_chunked &&
        request.content_type == handle.built_content_type && request.headers == handle.built_headers) {
      return;  // HTTPHEADER already points at this list
    }

    CurlSlist list;
    if (!handle.auth_line.empty()) list.add(handle.auth_line);
    if (has_body) list.add("Expect:");  // no 100-continue round trip before bodies
    // JSON unless the request asks for something else (the generated operations name their own Accept).
    bool has_accept = false;
    std::string line;
    for (const auto& [name, value] : request.headers) {
      has_accept = has_accept || std::equal(name.begin(), name.end(), std::string_view("accept").begin(),
                                            std::string_view("accept").end(), [](char a, char b) {
                                              return std::tolower(static_cast<unsigned char>(a)) == b;
                                            });
      line.assign(name);
      line += ": ";
      line += value;
      list.add(line);
    }
    if (!has_accept) list.add("Accept: application/json");
    if (!request.content_type.empty()) {
      line.assign("Content-Type: ");
      line += request.content_type;
      list.add(line);
    }
    if (chunked) list.add("Transfer-Encoding: chunked");
    // What the list was built from (should a copy throw, the handle is not reused: see perform_once).
    handle.built_content_type = request.content_type;
    handle.built_headers = request.headers;
    handle.built_body = has_body;
    handle.built_chunked = chunked;
    curl_easy_setopt(handle.easy, CURLOPT_HTTPHEADER, list.list);
    Handle::free_list(handle.headers);
    handle.headers = std::exchange(list.list, nullptr);
    handle.headers_built = true;
  }

  // Runs the transfer set up on `handle` to its end, or until `stop` is requested (CURLE_ABORTED_BY_CALLBACK).
  static CURLcode drive(const Handle& handle, const std::stop_token& stop) {
    if (curl_multi_add_handle(handle.multi, handle.easy) != CURLM_OK) return CURLE_FAILED_INIT;
    auto wake = [multi = handle.multi] { curl_multi_wakeup(multi); };
    std::optional<std::stop_callback<decltype(wake)>> on_stop;
    if (stop.stop_possible()) on_stop.emplace(stop, wake);
    CURLcode code = CURLE_OK;
    for (;;) {
      int running = 0;
      if (const CURLMcode mc = curl_multi_perform(handle.multi, &running); mc != CURLM_OK) {
        code = mc == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY : CURLE_FAILED_INIT;
        break;
      }
      if (running == 0) {
        int queued = 0;
        while (const CURLMsg* message = curl_multi_info_read(handle.multi, &queued)) {
          if (message->msg == CURLMSG_DONE) code = message->data.result;
        }
        break;
      }
      if (stop.stop_requested()) {
        code = CURLE_ABORTED_BY_CALLBACK;
        break;
      }
      // Sleeps until a socket is ready, libcurl's next timeout, or a wake-up from the stop callback.
      if (const CURLMcode mc = curl_multi_poll(handle.multi, nullptr, 0, 1000, nullptr); mc != CURLM_OK) {
        code = mc == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY : CURLE_FAILED_INIT;
        break;
      }
    }
    on_stop.reset();
    curl_multi_remove_handle(handle.multi, handle.easy);  // a transfer cut short closes its connection
    return code;
  }

  http::Result perform_once(const http::Request& request) {
    http::Result result;
    std::unique_ptr<Handle> owned = acquire();
    if (owned == nullptr) {
      result.failure = http::Failure::other;
      result.failure_message = "cannot create a libcurl handle";
      return result;
    }
    // Back to the pool, unless setting up the request threw half-way: then the handle's remembered state may not
    // match its options, and it is cleaned up instead.
    struct Releaser {
      CurlTransport* self;
      std::unique_ptr<Handle>& handle;
      int exceptions = std::uncaught_exceptions();
      ~Releaser() {
        if (std::uncaught_exceptions() == exceptions) self->release(std::move(handle));
      }
    } releaser{this, owned};
    Handle& handle = *owned;
    CURL* easy = handle.easy;

    http::Response& response = result.response;
    response.headers.reserve(16);  // one allocation for a typical answer's headers
    handle.transfer = Transfer{&request, &response, easy, nullptr};
    handle.error_buffer[0] = '\0';
    const std::string_view method = request.method;
    // At most once on the wire: libcurl silently re-sends a request whose kept-alive connection turned out dead
    // before any answer came back, even after the server received and applied it. For a commit or merge that is a
    // second commit. A fresh connection is never re-sent that way. A DELETE goes fresh too, so that only the
    // client's retry loop repeats it and knows when an earlier attempt may have been applied.
    // GET, HEAD and PUT keep reusing connections. The fresh connection replaces the handle's kept-alive one to the
    // same server (CURLMOPT_MAX_HOST_CONNECTIONS, see acquire), and is then kept for the requests that follow.
    const bool fresh_connection = !detail::is_idempotent(method) || request.not_idempotent || method == "DELETE";
    if (fresh_connection != handle.applied_fresh) {
      curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, fresh_connection ? 1L : 0L);
      handle.applied_fresh = fresh_connection;
    }
    // Reads follow redirects (a pre-signed GET may be redirected).
    const bool follow = method == "GET" || method == "HEAD";
    if (follow != handle.applied_follow) {
      curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, follow ? 1L : 0L);
      handle.applied_follow = follow;
    }
    const long timeout_ms = static_cast<long>(request.call.timeout.value_or(options.request_timeout).count());
    if (timeout_ms != handle.applied_timeout_ms) {
      curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
      handle.applied_timeout_ms = timeout_ms;
    }

    // The URL, set only when it differs from the last request's on this handle (a repeated call sends the same).
    std::string& url = handle.url;
    if (!request.absolute_url.empty()) {
      url.assign(request.absolute_url);
    } else {
      url.assign(options.endpoint);
      url += request.path;
      if (!request.query.empty()) {
        url += '?';
        url += request.query;
      }
    }
    // The proxy for the URL's scheme (its redirects, if any, go through the same one).
    const std::string& proxy = proxies.for_url(url);
    if (&proxy != handle.applied_proxy) {
      if (curl_easy_setopt(easy, CURLOPT_PROXY, proxy.c_str()) != CURLE_OK) throw std::bad_alloc();
      handle.applied_proxy = &proxy;
    }
    if (url != handle.applied_url) {
      // libcurl copies it. Should that fail, the handle is not reused (see the Releaser).
      if (curl_easy_setopt(easy, CURLOPT_URL, url.c_str()) != CURLE_OK) throw std::bad_alloc();
      handle.applied_url.swap(url);
    }

    Kind kind = Kind::get;
    bool chunked = false;
    if (request.body_source) {
      if (method == "PUT") {
        kind = Kind::upload;
      } else {
        kind = Kind::post_streamed;
        chunked = !request.body_length;
      }
    } else if (!request.body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      kind = Kind::post_in_memory;
    } else if (method == "HEAD") {
      kind = Kind::head;
    } else if (method != "GET") {
      kind = Kind::custom;
    }
    const std::string method_string(method);  // CUSTOMREQUEST copies it; short: no allocation
    set_method(handle, request, kind, method_string);
    set_headers(handle, request, kind == Kind::upload || kind == Kind::post_streamed || kind == Kind::post_in_memory,
                chunked);

    Transfer& transfer = handle.transfer;
    const CURLcode code = drive(handle, request.call.stop);
    result.body_streamed = transfer.streamed;
    result.callback_error = transfer.callback_error;
    long request_size = 0;
    curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &request_size);
    result.request_sent = request_size > 0 || transfer.streamed;
    curl_off_t uploaded = 0;
    curl_off_t downloaded = 0;
    curl_easy_getinfo(easy, CURLINFO_SIZE_UPLOAD_T, &uploaded);
    curl_easy_getinfo(easy, CURLINFO_SIZE_DOWNLOAD_T, &downloaded);
    result.bytes_sent = request.body_source ? transfer.streamed_in : static_cast<std::uint64_t>(uploaded);
    result.bytes_received = static_cast<std::uint64_t>(downloaded);
    if (code != CURLE_OK) {
      result.failure = failure_of(code);
      result.failure_message = handle.error_buffer[0] != '\0' ? handle.error_buffer : curl_easy_strerror(code);
      return result;
    }
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    if (transfer.streaming_body() && !transfer.started) {  // an empty body: the hook still sees the head
      try {
        transfer.start_body();
      } catch (...) {
        result.callback_error = std::current_exception();
        result.failure = http::Failure::other;
        result.failure_message = "the response's body_start hook threw";
      }
    }
    return result;
  }
};

std::shared_ptr<Transport> make_curl_transport(TransportOptions options) {
  return std::make_shared<CurlTransport>(std::move(options));
}

}  // namespace lakefs
