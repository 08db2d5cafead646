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
// connections to a server, plus one per request in flight. The asynchronous engine
// (src/async/engine.cpp) drives handles of its own over the same share object.

#include "transport/curl_transport.hpp"

#include <curl/curl.h>

#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <utility>
#include <vector>

#include "transport/curl_handle.hpp"

namespace lakefs {
namespace detail {

CurlTransport::CurlTransport(TransportOptions options)
    : setup_(std::make_shared<const curl::Setup>(std::move(options))) {}

CurlTransport::~CurlTransport() = default;  // the pooled handles before the share object they use (setup_)

void CurlTransport::start(http::Request request, http::Completion done) { done(perform(request)); }

// The attempt runs on the calling thread, on the caller's request: no copy, no hand-over.
http::Result CurlTransport::perform(const http::Request& request) {
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

std::unique_ptr<curl::Handle> CurlTransport::acquire() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!pool_.empty()) {
      std::unique_ptr<curl::Handle> handle = std::move(pool_.back());
      pool_.pop_back();
      return handle;
    }
  }
  std::unique_ptr<curl::Handle> handle = setup_->make_handle();
  if (handle == nullptr) return nullptr;
  handle->multi = curl_multi_init();
  if (handle->multi == nullptr) return nullptr;
  // One connection per server on this handle. libcurl's own cache would keep up to four beside the one in use:
  // a request that must go on a fresh connection (see curl::Setup::prepare) would leave the kept-alive one idle
  // there, and every pooled handle would hold several. With this bound libcurl closes the handle's idle connection
  // to that server before it opens the new one (with a single transfer per multi handle, the old one is never
  // busy, so a transfer never waits for a connection).
  curl_multi_setopt(handle->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 1L);
  return handle;
}

void CurlTransport::release(std::unique_ptr<curl::Handle> handle) {
  {
    std::lock_guard lock(pool_mutex_);
    if (pool_.size() < setup_->options().max_connections) {
      pool_.push_back(std::move(handle));
      return;
    }
  }
  // `handle` is cleaned up here, outside the lock
}

namespace {

// Runs the transfer set up on `handle` to its end, or until `stop` is requested (CURLE_ABORTED_BY_CALLBACK).
CURLcode drive(const curl::Handle& handle, const std::stop_token& stop) {
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

}  // namespace

http::Result CurlTransport::perform_once(const http::Request& request) {
  http::Result result;
  std::unique_ptr<curl::Handle> owned = acquire();
  if (owned == nullptr) {
    result.failure = http::Failure::other;
    result.failure_message = "cannot create a libcurl handle";
    return result;
  }
  // Back to the pool, unless setting up the request threw half-way: then the handle's remembered state may not
  // match its options, and it is cleaned up instead.
  struct Releaser {
    CurlTransport* self;
    std::unique_ptr<curl::Handle>& handle;
    int exceptions = std::uncaught_exceptions();
    ~Releaser() {
      if (std::uncaught_exceptions() == exceptions) self->release(std::move(handle));
    }
  } releaser{this, owned};
  setup_->prepare(*owned, request, result.response);
  const CURLcode code = drive(*owned, request.call.stop);
  curl::Setup::finish(*owned, code, request, result);
  return result;
}

}  // namespace detail

std::shared_ptr<Transport> make_curl_transport(TransportOptions options) {
  return std::make_shared<detail::CurlTransport>(std::move(options));
}

}  // namespace lakefs
