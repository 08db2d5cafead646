// SPDX-License-Identifier: Apache-2.0
// A response body consumer that may fall behind the network without blocking
// the thread that receives it. On the engine's libcurl transfers it takes a
// whole chunk or none: when it has no room, the transfer pauses
// (CURL_WRITEFUNC_PAUSE, so libcurl stops reading the socket and TCP holds the
// sender back) until the consumer has made room and wakes it; the same chunk
// then comes again. Any other transport (the blocking pool, a custom one) just
// calls the request's body_sink, which blocks that transport's thread instead.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

namespace lakefs::detail {

class PacedSink {
 public:
  /// Resumes a paused transfer: posts an unpause to the engine that runs it. Any thread, any time (also after the
  /// transfer ended: then it does nothing).
  using Wake = std::function<void()>;

  virtual ~PacedSink() = default;
  /// Takes all of `chunk` (true) or none of it (false): the transfer pauses, and the sink calls `wake` once it has
  /// room for the chunk. Throws to abort the transfer.
  virtual bool offer(std::string_view chunk, const Wake& wake) = 0;
  /// Takes all of `chunk`, blocking while there is no room. Throws to abort the transfer.
  virtual void push(std::string_view chunk) = 0;
};

/// The body_sink of a request whose body goes to a PacedSink. The engine recognises it in the request
/// (std::function::target) and uses offer(); every other transport calls it, which pushes.
struct PacedSinkRef {
  std::shared_ptr<PacedSink> sink;
  void operator()(std::string_view chunk) const { sink->push(chunk); }
};

}  // namespace lakefs::detail
