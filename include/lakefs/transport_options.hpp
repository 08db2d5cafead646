// SPDX-License-Identifier: Apache-2.0
// Connection settings of the default (libcurl) transport, resolved by the
// client from ClientOptions (see Client::options()). Kept apart from
// <lakefs/transport.hpp> so that <lakefs/client.hpp> needs no HTTP types.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "lakefs/export.hpp"

namespace lakefs {

/// How the default (libcurl) transport reaches the server.
struct LAKEFS_API TransportOptions {
  /// Base URL of the API, normalised to end in "/api/v1" (no trailing slash).
  std::string endpoint{};
  /// Verify the server's TLS certificate and host name. On by default.
  bool verify_tls = true;
  /// PEM bundle of CA certificates to trust instead of the system's.
  std::string ca_file{};
  /// Directory of CA certificates to trust instead of the system's.
  std::string ca_path{};
  /// PEM file of the client certificate presented to a server that asks for one (mutual TLS); empty: none. The
  /// private key is read from `client_key_file`, else from this file. Only for https:// endpoints and URLs.
  std::string client_cert_file{};
  /// PEM file of the client certificate's private key (unencrypted); empty: it is in `client_cert_file`.
  std::string client_key_file{};
  /// HTTP(S) proxy URL for every request. Empty: the proxies the environment
  /// names, by libcurl's rules (http_proxy for http:// URLs, https_proxy or
  /// HTTPS_PROXY for https://, else all_proxy or ALL_PROXY), read once when
  /// the transport is made. Hosts in no_proxy (or NO_PROXY) bypass either.
  std::string proxy{};
  /// Time allowed to establish a connection.
  std::chrono::milliseconds connect_timeout{10'000};
  /// Whole-request timeout; zero means none (large transfers may take long).
  std::chrono::milliseconds request_timeout{0};
  /// Abort a transfer slower than 1 byte/s for this long; zero disables.
  std::chrono::milliseconds low_speed_timeout{60'000};
  /// Idle connections kept alive for reuse, per server, and the default
  /// concurrency of batch work (upload_directory, download_prefix,
  /// remove_objects, annotate). Requests in flight are not capped: a client
  /// holds at most max_connections connections to a server plus one per
  /// request in flight (docs/client-and-configuration.md, "Connections").
  /// 32 because a small transfer is mostly waiting for the server (about 12 ms
  /// per upload on a local lakeFS), so more in flight means more done, up to
  /// where the server's CPU is the limit: in a sweep on 2,000 files of 4 KiB, 32
  /// had the best median and 48 or 64 gained nothing; the spreads overlap (docs/bench/NOTES.md).
  std::size_t max_connections = 32;
  /// Threads of the asynchronous engine, each driving one libcurl multi handle with many requests in flight.
  /// Started by a client's first asynchronous call; a client that makes none has no engine thread. One thread
  /// keeps a thousand small requests in flight; more help only when continuations (your code after each
  /// co_await, and response decoding) keep one core busy.
  std::size_t engine_threads = 1;
  /// Requests the asynchronous engine runs at once, per engine thread; the rest wait in its queue, where no
  /// timeout counts the waiting. Also the most connections the engine keeps open (in use or idle for reuse), and the
  /// object tasks (StoredObject::stat_async, read_all_async, upload_async, ...) admitted at once: the others wait
  /// before they build their requests (docs/async.md, "Admission, limits and retries").
  /// 256 by default: far more than a thread pool would run, few enough for one lakeFS server; raise it for
  /// high-latency links (1,000 in flight at 50 ms of latency is 20,000 requests a second on paper).
  std::size_t max_in_flight = 256;
  /// Requests that may wait for admission in the engine's queue, and object tasks that may wait for theirs, per
  /// engine thread; the next one fails with InvalidStateError rather than grow memory without bound. A waiting
  /// object task holds only its call's arguments (under 1 KiB for a stat_async started with when_all); for long
  /// lists async::for_each is still better: it makes no task before a slot is free.
  std::size_t max_queued_requests = 1'000'000;
  /// Extra text appended to the User-Agent after "lakefs-cpp/<version>".
  std::string user_agent_suffix{};
  /// Size of libcurl's receive buffer per connection (CURLOPT_BUFFERSIZE), in
  /// bytes: the most one read from the socket takes, and the largest chunk a
  /// body sink is handed. Between 1 KiB and 10 MiB, libcurl's limits
  /// (make_curl_transport throws ConfigurationError otherwise). The default,
  /// 512 KiB, was chosen by measurement: a 1 GiB GET streamed to a discarding
  /// sink took 0.79x the time with 512 KiB that it took with libcurl's 16 KiB
  /// default (64 KiB 0.87x, 256 KiB 0.85x, 1 MiB 0.78x: as fast, at twice the
  /// memory per connection). Memory is touched only as a response fills it.
  std::size_t receive_buffer_size = 512 * 1024;
};

}  // namespace lakefs
