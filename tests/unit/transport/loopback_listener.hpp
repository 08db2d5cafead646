// SPDX-License-Identifier: Apache-2.0
// The listening socket of the transport tests' loopback HTTP servers
// (redirect_test.cpp, handle_reuse_test.cpp): 127.0.0.1, a free port.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <stdexcept>

namespace lakefs::test {

/// A socket listening on 127.0.0.1 on a port the kernel picked (stored in
/// `port`), with `backlog`; std::runtime_error when that fails.
inline int listen_on_loopback(int backlog, std::uint16_t& port) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listener < 0) throw std::runtime_error("socket() failed");
  const int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof addr;
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener, backlog) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    ::close(listener);
    throw std::runtime_error("cannot listen on 127.0.0.1");
  }
  port = ntohs(addr.sin_port);
  return listener;
}

}  // namespace lakefs::test
