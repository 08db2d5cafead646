// SPDX-License-Identifier: Apache-2.0
// Compiles with the parent project's flags; with lakefs-cpp's -Wall -Wextra -Wpedantic -Werror it would not.
#include <lakefs/lakefs.hpp>

int main(int argc, char**) {
  int unused = 0;  // -Wunused-variable
  return argc > 0 ? 0 : 1;
};  // -Wpedantic: extra ';'
