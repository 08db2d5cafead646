// Quickstart: connect to lakeFS and show the server's version.
// Configuration comes from LAKEFS_ENDPOINT / LAKEFS_ACCESS_KEY_ID /
// LAKEFS_SECRET_ACCESS_KEY (or ~/.lakectl.yaml).
#include <iostream>
#include <lakefs/lakefs.hpp>

int main() try {
  lakefs::Client client;
  std::cout << "Connected to lakeFS " << client.server_version() << " at " << client.options().endpoint << "\n";
  return 0;
} catch (const lakefs::Error& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
