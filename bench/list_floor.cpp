// SPDX-License-Identifier: Apache-2.0
// The floor of a paginated listing: bare libcurl fetching exactly the pages
// the SDK fetches (same path and query, 1000 per page unless told otherwise),
// on one kept-alive easy handle, reading nothing of each page but its
// pagination block (`has_more`, `next_offset`, `results`, found by string
// search: lakeFS writes `pagination` first), and requesting the next page at
// once. Nothing is decoded, so no client can list faster over HTTP/1.1 with
// one connection. Run by bench/scenarios/25-listings.sh.
//
//   list_floor objects REPO REF [PAGE_SIZE]         GET .../refs/REF/objects/ls
//   list_floor log     REPO REF [PAGE_SIZE]         GET .../refs/REF/commits
//   list_floor diff    REPO LEFT RIGHT [PAGE_SIZE]  GET .../refs/LEFT/diff/RIGHT
//
// Configured from LAKEFS_ENDPOINT, LAKEFS_ACCESS_KEY_ID and
// LAKEFS_SECRET_ACCESS_KEY. Prints one JSON line, {"seconds": ..., "items": N,
// "pages": P}, timed from the first request to the end of the last page.
#include <curl/curl.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "floor_support.hpp"

namespace {

using bench::encode;
using bench::env;

std::size_t collect(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

// The JSON string starting at body[pos] (just after its opening quote), with
// the escapes Go's encoder writes undone (\uXXXX below 0x80 only: enough for
// the cursors of this benchmark's data, which are plain ASCII paths and ids).
std::string json_string_at(std::string_view body, std::size_t pos) {
  std::string out;
  for (; pos < body.size() && body[pos] != '"'; ++pos) {
    if (body[pos] != '\\') {
      out += body[pos];
      continue;
    }
    const char e = body[++pos];
    if (e == 'u') {
      out += static_cast<char>(std::stoi(std::string(body.substr(pos + 1, 4)), nullptr, 16));
      pos += 4;
    } else {
      out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
    }
  }
  return out;
}

struct Cursor {
  bool has_more = false;
  std::string next_offset;
  long results = 0;
};

Cursor pagination(std::string_view body) {
  Cursor c;
  constexpr std::string_view more = "\"has_more\":", next = "\"next_offset\":\"", results = "\"results\":";
  const auto m = body.find(more);
  const auto n = body.find(next);
  const auto r = body.find(results);
  if (m == std::string_view::npos || n == std::string_view::npos || r == std::string_view::npos) {
    throw std::runtime_error("no pagination block in: " + std::string(body.substr(0, 200)));
  }
  c.has_more = body.substr(m + more.size(), 4) == "true";
  c.next_offset = json_string_at(body, n + next.size());
  c.results = std::strtol(body.data() + r + results.size(), nullptr, 10);
  return c;
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 4) {
    std::cerr << "usage: list_floor objects|log REPO REF [PAGE_SIZE] | diff REPO LEFT RIGHT [PAGE_SIZE]\n";
    return 2;
  }
  const std::string mode = argv[1];
  const std::string repo = argv[2];
  const int sized = mode == "diff" ? 5 : 4;
  const std::string amount = argc > sized ? argv[sized] : "1000";
  const std::string api = env("LAKEFS_ENDPOINT") + "/api/v1/repositories/" + encode(repo) + "/refs/" + encode(argv[3]);
  // The path and query of the SDK's requests (generated order; `after` empty on the first page where the SDK sends it).
  std::string path, before_after, after_after;
  if (mode == "objects") {
    path = api + "/objects/ls";
    before_after = "?user_metadata=true&presign=false&after=";
    after_after = "&amount=" + amount + "&delimiter=&prefix=";
  } else if (mode == "log") {
    path = api + "/commits";
    before_after = "?after=";
    after_after = "&amount=" + amount + "&first_parent=false";
  } else if (mode == "diff" && argc > 4) {
    path = api + "/diff/" + encode(argv[4]);
    before_after = "?after=";
    after_after = "&amount=" + amount + "&prefix=&delimiter=&type=three_dot";
  } else {
    std::cerr << "list_floor: unknown mode " << mode << "\n";
    return 2;
  }

  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURL* curl = curl_easy_init();
  std::string body;
  body.reserve(1 << 20);
  const std::string userpwd = env("LAKEFS_ACCESS_KEY_ID") + ":" + env("LAKEFS_SECRET_ACCESS_KEY");
  curl_easy_setopt(curl, CURLOPT_USERPWD, userpwd.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);

  const auto start = std::chrono::steady_clock::now();
  long items = 0, pages = 0;
  std::string after;
  bool first = true;
  for (;;) {
    std::string url = path;
    // The SDK leaves `after` out of its first log request.
    if (!(first && mode == "log")) {
      url += before_after + encode(after) + after_after;
    } else {
      url += "?amount=" + amount + "&first_parent=false";
    }
    first = false;
    body.clear();
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    const CURLcode rc = curl_easy_perform(curl);
    if (rc != CURLE_OK) throw std::runtime_error(std::string("GET ") + url + ": " + curl_easy_strerror(rc));
    const auto cursor = pagination(body);
    ++pages;
    items += cursor.results;
    if (!cursor.has_more) break;
    after = cursor.next_offset;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  curl_easy_cleanup(curl);
  curl_global_cleanup();
  std::cout << "{\"seconds\": " << seconds << ", \"items\": " << items << ", \"pages\": " << pages << "}\n";
  return 0;
} catch (const std::exception& e) {
  std::cerr << "list_floor: " << e.what() << "\n";
  return 1;
}
