// The default transport: a pool of libcurl easy handles over one share object
// (DNS cache and TLS sessions are shared). Each pooled handle keeps its
// connections alive, so a request reuses one and no handle is created in
// steady state. One start() is one attempt, completed on the calling thread.
#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <exception>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "lakefs/transport.hpp"
#include "lakefs/version.hpp"
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
    global_init();
    user_agent = std::string("lakefs-cpp/") + sdk_version;
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
    for (const Handle& handle : pool) {
      curl_multi_cleanup(handle.multi);
      curl_easy_cleanup(handle.easy);
    }
    curl_share_cleanup(share);
  }

  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  void start(http::Request request, http::Completion done) override {
    http::Result result;
    try {
      result = perform_once(request);
    } catch (...) {  // e.g. std::bad_alloc: still report, never leave the caller waiting
      result = http::Result{};
      result.failure = http::Failure::other;
      result.failure_message = "the transfer could not be set up";
      result.callback_error = std::current_exception();
    }
    done(std::move(result));
  }

 private:
  TransportOptions options;
  std::string user_agent;
  CURLSH* share = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> share_locks;
  // An easy handle and the multi handle that drives it. The pair stays together: the multi handle owns the
  // kept-alive connections, and driving the transfer ourselves (rather than curl_easy_perform) lets a stop
  // request wake the wait at once (curl_multi_wakeup) instead of at libcurl's next once-a-second progress call.
  struct Handle {
    CURL* easy = nullptr;
    CURLM* multi = nullptr;
  };
  std::mutex pool_mutex;
  std::vector<Handle> pool;

  Handle acquire() {
    {
      std::lock_guard lock(pool_mutex);
      if (!pool.empty()) {
        Handle handle = pool.back();
        pool.pop_back();
        return handle;
      }
    }
    Handle handle{curl_easy_init(), curl_multi_init()};
    if (handle.easy == nullptr || handle.multi == nullptr) {
      if (handle.multi != nullptr) curl_multi_cleanup(handle.multi);
      if (handle.easy != nullptr) curl_easy_cleanup(handle.easy);
      return {};
    }
    return handle;
  }

  void release(Handle handle) {
    std::lock_guard lock(pool_mutex);
    if (pool.size() < options.max_connections) {
      pool.push_back(handle);
      return;
    }
    curl_multi_cleanup(handle.multi);
    curl_easy_cleanup(handle.easy);
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
    const Handle handle = acquire();
    CURL* easy = handle.easy;
    if (easy == nullptr) {
      result.failure = http::Failure::other;
      result.failure_message = "cannot create a libcurl handle";
      return result;
    }
    struct Releaser {
      CurlTransport* self;
      Handle handle;
      ~Releaser() { self->release(handle); }
    } releaser{this, handle};

    http::Response& response = result.response;
    Transfer transfer{&request, &response, easy, nullptr};
    char error_buffer[CURL_ERROR_SIZE] = {0};
    CurlSlist headers;
    const std::string method(request.method);
    // At most once on the wire: libcurl silently re-sends a request whose kept-alive connection turned out dead
    // before any answer came back, even after the server received and applied it. For a commit or merge that is a
    // second commit. A fresh connection is never re-sent that way. A DELETE goes fresh too, so that only the
    // client's retry loop repeats it and knows when an earlier attempt may have been applied.
    // GET, HEAD and PUT keep reusing connections.
    const bool fresh_connection = !detail::is_idempotent(method) || method == "DELETE";

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
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    if (fresh_connection) curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
    if (method == "GET" || method == "HEAD") {
      // Reads follow redirects (a pre-signed GET may be redirected); libcurl sends the credentials it was given
      // only to the original host and port, never to another one.
      curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
      curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 5L);
      curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
      curl_easy_setopt(easy, CURLOPT_UNRESTRICTED_AUTH, 0L);
    }
    curl_easy_setopt(easy, CURLOPT_SHARE, share);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, user_agent.c_str());
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPIDLE, 30L);   // probe an idle connection after 30 s,
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPINTVL, 15L);  // then every 15 s: a dead peer is noticed
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
    const auto timeout = request.call.timeout.value_or(options.request_timeout);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
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

    // Credentials as an Authorization header built here: libcurl's own Basic/Bearer handling costs about 24 k
    // instructions per request (measured with callgrind; a fifth of a small call's client CPU), this a few
    // hundred. libcurl (7.83 and later, CVE-2022-27776) sends a custom Authorization header only to the host
    // and port it was given for, never on a redirect to another one (tests/unit/transport/redirect_test.cpp).
    const auto& auth = request.authorization;
    if (!request.anonymous && request.absolute_url.empty()) {
      if (auth.scheme == http::Authorization::Scheme::basic) {
        std::string pair = auth.user;
        pair += ':';
        pair += auth.secret;
        headers.add("Authorization: Basic " + detail::base64(pair));
      } else if (auth.scheme == http::Authorization::Scheme::bearer) {
        headers.add("Authorization: Bearer " + auth.secret);
      }
    }
    headers.add("Expect:");  // no 100-continue round trip before bodies
    // JSON unless the request asks for something else (the generated operations name their own Accept).
    bool has_accept = false;
    for (const auto& [name, value] : request.headers) {
      has_accept = has_accept || std::equal(name.begin(), name.end(), std::string_view("accept").begin(),
                                            std::string_view("accept").end(), [](char a, char b) {
                                              return std::tolower(static_cast<unsigned char>(a)) == b;
                                            });
      headers.add(name + ": " + value);
    }
    if (!has_accept) headers.add("Accept: application/json");
    if (!request.content_type.empty()) headers.add("Content-Type: " + request.content_type);

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
      result.failure_message = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
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
