// SPDX-License-Identifier: Apache-2.0
#include "util/sleep.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace lakefs::detail {

bool sleep_unless_stopped(std::chrono::milliseconds delay, const std::stop_token& stop) {
  if (!stop.stop_possible()) {
    std::this_thread::sleep_for(delay);
    return false;
  }
  std::mutex mutex;
  std::condition_variable_any wake;
  std::unique_lock lock(mutex);
  return wake.wait_for(lock, stop, delay, [] { return false; }) || stop.stop_requested();
}

}  // namespace lakefs::detail
