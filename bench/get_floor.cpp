// SPDX-License-Identifier: Apache-2.0
// The floor of read_all(): bare libcurl GETting an object into a std::string
// reserved from the answer's Content-Length, with the SDK's receive buffer
// size. It does what read_all() must do (receive every byte and keep it in
// fresh memory) and nothing else: no validation, no retry, no error mapping,
// no page prefaulting. `curl -o /dev/null` does strictly less (it keeps no
// byte), so it bounds read_all() from above by more than read_all() can reach.
//
//   get_floor REPO REF PATH [BUFFER_BYTES]     (default 512 KiB, the SDK's)
//
// Configured from LAKEFS_ENDPOINT, LAKEFS_ACCESS_KEY_ID and
// LAKEFS_SECRET_ACCESS_KEY. Prints "seconds bytes", timed around the GET.
#include <curl/curl.h>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "floor_support.hpp"

namespace {

using bench::encode;
using bench::env;

// Reserves the body's length when its Content-Length header arrives.
std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  const std::string_view line(data, size * n);
  constexpr std::string_view name = "content-length:";
  if (line.size() > name.size()) {
    bool match = true;
    for (std::size_t i = 0; i < name.size() && match; ++i) match = (line[i] | 0x20) == name[i];
    if (match) {
      std::string_view value = line.substr(name.size());
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      std::size_t length = 0;
      std::from_chars(value.data(), value.data() + value.size(), length);
      static_cast<std::string*>(user)->reserve(length);
    }
  }
  return size * n;
}

std::size_t on_write(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc != 4 && argc != 5) {
    std::cerr << "usage: get_floor REPO REF PATH [BUFFER_BYTES]\n";
    return 2;
  }
  const long buffer = argc == 5 ? std::stol(argv[4]) : 512L * 1024;
  const std::string url = env("LAKEFS_ENDPOINT") + "/api/v1/repositories/" + encode(argv[1]) + "/refs/" +
                          encode(argv[2]) + "/objects?path=" + encode(argv[3]);
  const std::string key = env("LAKEFS_ACCESS_KEY_ID");
  const std::string secret = env("LAKEFS_SECRET_ACCESS_KEY");
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURL* easy = curl_easy_init();
  std::string body;
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
  curl_easy_setopt(easy, CURLOPT_USERNAME, key.c_str());
  curl_easy_setopt(easy, CURLOPT_PASSWORD, secret.c_str());
  curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, buffer);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &body);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(easy, CURLOPT_FAILONERROR, 1L);
  const auto start = std::chrono::steady_clock::now();
  const CURLcode code = curl_easy_perform(easy);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  curl_easy_cleanup(easy);
  if (code != CURLE_OK) throw std::runtime_error(curl_easy_strerror(code));
  std::cout << seconds << " " << body.size() << "\n";
  return 0;
} catch (const std::exception& e) {
  std::cerr << "get_floor: " << e.what() << "\n";
  return 1;
}
