#include <iostream>
#include <lakefs/lakefs.hpp>

int main() {
  // Resolving a configuration exercises the library without needing a server.
  const auto resolved = lakefs::resolve_config(
      {.endpoint = "http://127.0.0.1:1", .access_key_id = "k", .secret_access_key = "s", .explicit_only = true});
  std::cout << "lakefs-cpp " << lakefs::sdk_version << " " << resolved.transport.endpoint << "\n";
  return resolved.transport.endpoint == "http://127.0.0.1:1/api/v1" ? 0 : 1;
}
