// SPDX-License-Identifier: Apache-2.0
#include "transport/curl_handle.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "lakefs/errors.hpp"
#include "lakefs/version.hpp"
#include "transport/paced_sink.hpp"
#include "transport/redaction.hpp"
#include "transport/retry.hpp"

namespace lakefs::detail::curl {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

namespace {

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

std::size_t on_write(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  try {
    if (t->streaming_body()) {
      t->start_body();
      t->streamed = true;
      if (t->wake) {
        // A paced sink takes the whole chunk or pauses the transfer; libcurl hands the same chunk again on unpause.
        const auto* paced = t->request->body_sink.target<PacedSinkRef>();
        if (!paced->sink->offer(std::string_view(data, n), t->wake)) return CURL_WRITEFUNC_PAUSE;
      } else {
        t->request->body_sink(std::string_view(data, n));
      }
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

}  // namespace

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

Setup::Setup(TransportOptions options) : options_(std::move(options)) {
  if (options_.receive_buffer_size < kMinReceiveBuffer || options_.receive_buffer_size > kMaxReceiveBuffer) {
    throw ConfigurationError("receive_buffer_size must be between 1 KiB and 10 MiB (libcurl's limits)");
  }
  global_init();
  user_agent_ = std::string("lakefs-cpp/") + sdk_version;
  proxies_ = proxy_settings(options_.proxy, [](const char* name) { return std::getenv(name); });
  if (!options_.user_agent_suffix.empty()) user_agent_ += " " + options_.user_agent_suffix;

  share_ = curl_share_init();
  curl_share_setopt(
      share_, CURLSHOPT_LOCKFUNC, +[](CURL*, curl_lock_data data, curl_lock_access, void* user) {
        static_cast<Setup*>(user)->share_locks_[static_cast<std::size_t>(data)].lock();
      });
  curl_share_setopt(
      share_, CURLSHOPT_UNLOCKFUNC, +[](CURL*, curl_lock_data data, void* user) {
        static_cast<Setup*>(user)->share_locks_[static_cast<std::size_t>(data)].unlock();
      });
  curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
}

Setup::~Setup() { curl_share_cleanup(share_); }

std::unique_ptr<Handle> Setup::make_handle() const {
  auto handle = std::make_unique<Handle>();
  handle->easy = curl_easy_init();
  if (handle->easy == nullptr) return nullptr;
  set_constant_options(*handle);
  return handle;
}

// The options every request on this handle shares, set once when it is made.
void Setup::set_constant_options(Handle& handle) const {
  CURL* easy = handle.easy;
  curl_easy_setopt(easy, CURLOPT_SHARE, share_);
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
  curl_easy_setopt(easy, CURLOPT_USERAGENT, user_agent_.c_str());
  curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPIDLE, 30L);   // probe an idle connection after 30 s,
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPINTVL, 15L);  // then every 15 s: a dead peer is noticed
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  if (options_.low_speed_timeout.count() > 0) {
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME,
                     static_cast<long>((options_.low_speed_timeout.count() + 999) / 1000));
  }
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
  if (!options_.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (!options_.ca_path.empty()) curl_easy_setopt(easy, CURLOPT_CAPATH, options_.ca_path.c_str());
  // Mutual TLS: presented only when a server asks for a client certificate. Without a key file, libcurl reads
  // the key from the certificate's file.
  if (!options_.client_cert_file.empty()) {
    curl_easy_setopt(easy, CURLOPT_SSLCERT, options_.client_cert_file.c_str());
    curl_easy_setopt(easy, CURLOPT_SSLCERTTYPE, "PEM");
    if (!options_.client_key_file.empty()) curl_easy_setopt(easy, CURLOPT_SSLKEY, options_.client_key_file.c_str());
    curl_easy_setopt(easy, CURLOPT_SSLKEYTYPE, "PEM");
  }
  // The proxy is set per request, by the URL's scheme; "" here and there: libcurl must not read the environment.
  curl_easy_setopt(easy, CURLOPT_NOPROXY, proxies_.no_proxy.c_str());
  curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, static_cast<long>(options_.receive_buffer_size));
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
void Setup::set_method(Handle& handle, const http::Request& request, Kind kind, const std::string& method) {
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
void Setup::set_headers(Handle& handle, const http::Request& request, bool has_body, bool chunked) {
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
      handle.auth_line = "Authorization: Basic " + base64(pair);
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
  // What the list was built from (should a copy throw, the handle is not reused: see prepare).
  handle.built_content_type = request.content_type;
  handle.built_headers = request.headers;
  handle.built_body = has_body;
  handle.built_chunked = chunked;
  curl_easy_setopt(handle.easy, CURLOPT_HTTPHEADER, list.list);
  Handle::free_list(handle.headers);
  handle.headers = std::exchange(list.list, nullptr);
  handle.headers_built = true;
}

void Setup::prepare(Handle& handle, const http::Request& request, http::Response& response) const {
  CURL* easy = handle.easy;
  response.headers.reserve(16);  // one allocation for a typical answer's headers
  handle.transfer = Transfer{&request, &response, easy, nullptr};
  handle.error_buffer[0] = '\0';
  const std::string_view method = request.method;
  // At most once on the wire: libcurl silently re-sends a request whose kept-alive connection turned out dead
  // before any answer came back, even after the server received and applied it. For a commit or merge that is a
  // second commit. A fresh connection is never re-sent that way. A DELETE goes fresh too, so that only the
  // client's retry loop repeats it and knows when an earlier attempt may have been applied.
  // GET, HEAD and PUT keep reusing connections. The fresh connection replaces the handle's kept-alive one to the
  // same server in the blocking pool (CURLMOPT_MAX_HOST_CONNECTIONS, see curl_transport.cpp), and is then kept for the
  // requests that follow.
  const bool fresh_connection = !is_idempotent(method) || request.not_idempotent || method == "DELETE";
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
  const long timeout_ms = static_cast<long>(request.call.timeout.value_or(options_.request_timeout).count());
  if (timeout_ms != handle.applied_timeout_ms) {
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    handle.applied_timeout_ms = timeout_ms;
  }

  // The URL, set only when it differs from the last request's on this handle (a repeated call sends the same).
  std::string& url = handle.url;
  if (!request.absolute_url.empty()) {
    url.assign(request.absolute_url);
  } else {
    url.assign(options_.endpoint);
    url += request.path;
    if (!request.query.empty()) {
      url += '?';
      url += request.query;
    }
  }
  // The proxy for the URL's scheme (its redirects, if any, go through the same one).
  const std::string& proxy = proxies_.for_url(url);
  if (&proxy != handle.applied_proxy) {
    if (curl_easy_setopt(easy, CURLOPT_PROXY, proxy.c_str()) != CURLE_OK) throw std::bad_alloc();
    handle.applied_proxy = &proxy;
  }
  if (url != handle.applied_url) {
    // libcurl copies it. Should that fail, the handle is not reused (see prepare's contract).
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
}

void Setup::finish(Handle& handle, CURLcode code, const http::Request& request, http::Result& result) {
  CURL* easy = handle.easy;
  Transfer& transfer = handle.transfer;
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
    return;
  }
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  result.response.status = static_cast<int>(status);
  if (transfer.streaming_body() && !transfer.started) {  // an empty body: the hook still sees the head
    try {
      transfer.start_body();
    } catch (...) {
      result.callback_error = std::current_exception();
      result.failure = http::Failure::other;
      result.failure_message = "the response's body_start hook threw";
    }
  }
}

}  // namespace lakefs::detail::curl
