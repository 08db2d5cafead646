// SPDX-License-Identifier: Apache-2.0
#include "util/date.hpp"

#include <array>
#include <cstddef>

namespace lakefs::detail {
namespace {

constexpr std::array<std::string_view, 7> kWeekdays = {"monday", "tuesday",  "wednesday", "thursday",
                                                       "friday", "saturday", "sunday"};
constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Reads `text` from the left; the first mismatch clears `ok`, and every later step then fails too.
struct Cursor {
  std::string_view text;
  std::size_t at = 0;
  bool ok = true;

  [[nodiscard]] bool next_is(char c) const { return ok && at < text.size() && text[at] == c; }

  // Exactly `count` decimal digits, as a number.
  int digits(std::size_t count) {
    int value = 0;
    for (std::size_t i = 0; i < count && ok; ++i, ++at) {
      if (at >= text.size() || text[at] < '0' || text[at] > '9') {
        ok = false;
      } else {
        value = value * 10 + (text[at] - '0');
      }
    }
    return ok ? value : 0;
  }

  // One or two digits (a day of the month, as HTTP dates in the wild write it).
  int day() {
    const bool two = at + 1 < text.size() && text[at + 1] >= '0' && text[at + 1] <= '9';
    return digits(two ? 2 : 1);
  }

  // One of `chars`.
  void literal(std::string_view chars) {
    if (ok && at < text.size() && chars.find(text[at]) != std::string_view::npos) {
      ++at;
    } else {
      ok = false;
    }
  }

  // `word`, in any case.
  bool word(std::string_view word) {
    if (!ok || text.size() - at < word.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i) {
      if (lower(text[at + i]) != word[i]) return false;
    }
    at += word.size();
    return true;
  }

  // A weekday, whole or its first three letters.
  void weekday() {
    for (const auto name : kWeekdays) {
      if (word(name) || word(name.substr(0, 3))) return;
    }
    ok = false;
  }

  // A month's three-letter name, as its number (1-12).
  int month() {
    for (std::size_t i = 0; i < kMonths.size(); ++i) {
      if (word(kMonths[i])) return static_cast<int>(i) + 1;
    }
    ok = false;
    return 0;
  }

  [[nodiscard]] bool at_end() const { return ok && at == text.size(); }
};

struct Fields {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

// "hh:mm:ss"
void read_time_of_day(Cursor& in, Fields& f) {
  f.hour = in.digits(2);
  in.literal(":");
  f.minute = in.digits(2);
  in.literal(":");
  f.second = in.digits(2);
}

std::optional<std::chrono::sys_seconds> to_time(const Fields& f, int max_second) {
  using namespace std::chrono;
  const year_month_day date{year{f.year}, month{static_cast<unsigned>(f.month)}, day{static_cast<unsigned>(f.day)}};
  if (!date.ok() || f.hour > 23 || f.minute > 59 || f.second > max_second) return std::nullopt;
  return sys_days(date) + hours(f.hour) + minutes(f.minute) + seconds(f.second);
}

// The three forms of RFC 9110, told apart by what follows the weekday.
bool read_http(Cursor& in, Fields& f) {
  in.weekday();
  if (in.next_is(',')) {
    in.literal(",");
    in.literal(" ");
    f.day = in.day();
    if (in.next_is('-')) {  // RFC 850: 06-Nov-94
      in.literal("-");
      f.month = in.month();
      in.literal("-");
      const int yy = in.digits(2);
      f.year = yy < 70 ? 2000 + yy : 1900 + yy;
    } else {  // IMF-fixdate: 06 Nov 1994
      in.literal(" ");
      f.month = in.month();
      in.literal(" ");
      f.year = in.digits(4);
    }
    in.literal(" ");
    read_time_of_day(in, f);
    in.literal(" ");
    if (!in.word("gmt")) in.ok = false;
    return in.at_end();
  }
  // asctime: Nov  6 08:49:37 1994
  in.literal(" ");
  f.month = in.month();
  in.literal(" ");
  if (in.next_is(' ')) {
    in.literal(" ");
    f.day = in.digits(1);
  } else {
    f.day = in.digits(2);
  }
  in.literal(" ");
  read_time_of_day(in, f);
  in.literal(" ");
  f.year = in.digits(4);
  return in.at_end();
}

}  // namespace

std::optional<std::chrono::sys_seconds> parse_date(std::string_view text, DateFormat format) {
  Cursor in{text};
  Fields f;
  switch (format) {
    case DateFormat::rfc3339: {
      f.year = in.digits(4);
      in.literal("-");
      f.month = in.digits(2);
      in.literal("-");
      f.day = in.digits(2);
      in.literal("Tt");
      read_time_of_day(in, f);
      if (in.next_is('.')) {
        in.literal(".");
        while (in.at < text.size() && text[in.at] >= '0' && text[in.at] <= '9') ++in.at;
      }
      std::chrono::seconds offset{0};
      if (in.next_is('+') || in.next_is('-')) {
        const int sign = text[in.at] == '+' ? 1 : -1;
        ++in.at;
        const int oh = in.digits(2);
        in.literal(":");
        const int om = in.digits(2);
        offset = sign * (std::chrono::hours(oh) + std::chrono::minutes(om));
      } else {
        in.literal("Zz");
      }
      if (!in.at_end()) return std::nullopt;
      const auto time = to_time(f, 60);
      if (!time) return std::nullopt;
      return *time - offset;
    }
    case DateFormat::http:
      if (!read_http(in, f)) return std::nullopt;
      return to_time(f, 60);
    case DateFormat::iso8601_basic:
    case DateFormat::transaction_stamp: {
      const bool basic = format == DateFormat::iso8601_basic;
      f.year = in.digits(4);
      f.month = in.digits(2);
      f.day = in.digits(2);
      in.literal(basic ? "T" : "-");
      f.hour = in.digits(2);
      f.minute = in.digits(2);
      f.second = in.digits(2);
      if (basic) in.literal("Z");
      if (!in.at_end()) return std::nullopt;
      return to_time(f, basic ? 60 : 59);
    }
  }
  return std::nullopt;
}

}  // namespace lakefs::detail
