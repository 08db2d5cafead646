// SPDX-License-Identifier: Apache-2.0
// Configuration discovery: precedence, file parsing, endpoint normalisation
// and error messages, with a temporary HOME and a controlled environment.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "config/endpoint.hpp"
#include "config/lakectl_config.hpp"
#include "config/resolve.hpp"
#include "lakefs/client.hpp"
#include "lakefs/errors.hpp"

namespace fs = std::filesystem;

namespace {

// The secrets a resolution hands to the client: ResolvedConfig itself holds none.
struct NoLogin : lakefs::CredentialsContext {
  lakefs::Credentials login(const std::string&, const std::string&) override {
    ADD_FAILURE() << "a static provider logged in";
    return {};
  }
};
lakefs::Credentials credentials_of(const lakefs::ClientOptions& options) {
  NoLogin context;
  return lakefs::detail::resolve(options).credentials->fetch(context, false);
}

constexpr const char* kVars[] = {"LAKEFS_ENDPOINT",
                                 "LAKEFS_ACCESS_KEY_ID",
                                 "LAKEFS_SECRET_ACCESS_KEY",
                                 "LAKECTL_SERVER_ENDPOINT_URL",
                                 "LAKECTL_CREDENTIALS_ACCESS_KEY_ID",
                                 "LAKECTL_CREDENTIALS_SECRET_ACCESS_KEY",
                                 "LAKECTL_CREDENTIALS_SESSION_TOKEN",
                                 "LAKECTL_CONFIG_FILE",
                                 "HOME"};

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kVars) {
      if (const char* v = std::getenv(name)) saved_[name] = v;
      ::unsetenv(name);
    }
    home_ = fs::temp_directory_path() / ("lakefs-cpp-config-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(home_);
    ::setenv("HOME", home_.c_str(), 1);
  }
  void TearDown() override {
    fs::remove_all(home_);
    for (const char* name : kVars) ::unsetenv(name);
    for (const auto& [name, value] : saved_) ::setenv(name.c_str(), value.c_str(), 1);
  }
  void write_home_config(const std::string& text) { std::ofstream(home_ / ".lakectl.yaml") << text; }

  fs::path home_;
  std::map<std::string, std::string> saved_;
};

constexpr const char* kFileConfig =
    "server:\n  endpoint_url: http://file-host:8000\n"
    "credentials:\n  access_key_id: FILEKEY\n  secret_access_key: file-secret\n";

TEST_F(ConfigTest, NothingFoundSaysWhereItLooked) {
  try {
    (void)lakefs::resolve_config({});
    FAIL() << "expected NoAuthenticationFoundError";
  } catch (const lakefs::NoAuthenticationFoundError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("LAKEFS_ENDPOINT"), std::string::npos) << what;
    EXPECT_NE(what.find(".lakectl.yaml"), std::string::npos) << what;
  }
}

TEST_F(ConfigTest, ConfigFileIsUsed) {
  write_home_config(kFileConfig);
  const auto r = lakefs::resolve_config({});
  EXPECT_EQ(r.transport.endpoint, "http://file-host:8000/api/v1");
  EXPECT_EQ(r.access_key_id, "FILEKEY");
  EXPECT_EQ(credentials_of({}).secret_access_key, "file-secret");
  EXPECT_EQ(r.credentials_kind, "key pair");
  EXPECT_NE(r.credentials_source.find(".lakectl.yaml"), std::string::npos);
}

TEST_F(ConfigTest, LakectlConfigFileVariableWins) {
  write_home_config(kFileConfig);
  const auto other = home_ / "other.yaml";
  std::ofstream(other) << "server:\n  endpoint_url: http://other:1/\ncredentials:\n  access_key_id: O\n"
                          "  secret_access_key: o\n";
  ::setenv("LAKECTL_CONFIG_FILE", other.c_str(), 1);
  const auto r = lakefs::resolve_config({});
  EXPECT_EQ(r.transport.endpoint, "http://other:1/api/v1");
  EXPECT_EQ(r.access_key_id, "O");
}

TEST_F(ConfigTest, EnvironmentBeatsFileAndLakefsBeatsLakectl) {
  write_home_config(kFileConfig);
  ::setenv("LAKECTL_SERVER_ENDPOINT_URL", "http://lakectl-env:1", 1);
  ::setenv("LAKECTL_CREDENTIALS_ACCESS_KEY_ID", "CTLKEY", 1);
  ::setenv("LAKECTL_CREDENTIALS_SECRET_ACCESS_KEY", "ctl-secret", 1);
  auto r = lakefs::resolve_config({});
  EXPECT_EQ(r.transport.endpoint, "http://lakectl-env:1/api/v1");
  EXPECT_EQ(r.access_key_id, "CTLKEY");

  ::setenv("LAKEFS_ENDPOINT", "http://lakefs-env:2", 1);
  ::setenv("LAKEFS_ACCESS_KEY_ID", "ENVKEY", 1);
  ::setenv("LAKEFS_SECRET_ACCESS_KEY", "env-secret", 1);
  r = lakefs::resolve_config({});
  EXPECT_EQ(r.transport.endpoint, "http://lakefs-env:2/api/v1");
  EXPECT_EQ(r.access_key_id, "ENVKEY");
  EXPECT_EQ(credentials_of({}).secret_access_key, "env-secret");
}

TEST_F(ConfigTest, ExplicitBeatsEverything) {
  write_home_config(kFileConfig);
  ::setenv("LAKEFS_ENDPOINT", "http://lakefs-env:2", 1);
  ::setenv("LAKEFS_ACCESS_KEY_ID", "ENVKEY", 1);
  ::setenv("LAKEFS_SECRET_ACCESS_KEY", "env-secret", 1);
  const auto r = lakefs::resolve_config(
      {.endpoint = "https://explicit/", .access_key_id = "EXP", .secret_access_key = "exp-secret"});
  EXPECT_EQ(r.transport.endpoint, "https://explicit/api/v1");
  EXPECT_EQ(r.access_key_id, "EXP");
  EXPECT_EQ(r.credentials_source, "explicit options");
}

TEST_F(ConfigTest, FieldsResolveIndependently) {
  // Endpoint explicit, credentials from the environment.
  ::setenv("LAKEFS_ACCESS_KEY_ID", "ENVKEY", 1);
  ::setenv("LAKEFS_SECRET_ACCESS_KEY", "env-secret", 1);
  const auto r = lakefs::resolve_config({.endpoint = "http://explicit:9"});
  EXPECT_EQ(r.transport.endpoint, "http://explicit:9/api/v1");
  EXPECT_EQ(r.access_key_id, "ENVKEY");
}

TEST_F(ConfigTest, SessionTokenWinsOverKeys) {
  ::setenv("LAKECTL_SERVER_ENDPOINT_URL", "http://h:1", 1);
  ::setenv("LAKECTL_CREDENTIALS_ACCESS_KEY_ID", "CTLKEY", 1);
  ::setenv("LAKECTL_CREDENTIALS_SECRET_ACCESS_KEY", "ctl-secret", 1);
  ::setenv("LAKECTL_CREDENTIALS_SESSION_TOKEN", "tok", 1);
  const auto r = lakefs::resolve_config({});
  EXPECT_EQ(credentials_of({}).session_token, "tok");
  EXPECT_EQ(r.credentials_kind, "session token");
  EXPECT_TRUE(r.access_key_id.empty());
}

TEST_F(ConfigTest, ExplicitOnlyIgnoresEnvironment) {
  ::setenv("LAKEFS_ENDPOINT", "http://lakefs-env:2", 1);
  ::setenv("LAKEFS_ACCESS_KEY_ID", "ENVKEY", 1);
  ::setenv("LAKEFS_SECRET_ACCESS_KEY", "env-secret", 1);
  EXPECT_THROW((void)lakefs::resolve_config({.explicit_only = true}), lakefs::NoAuthenticationFoundError);
}

TEST_F(ConfigTest, KeyWithoutSecretIsAConfigurationError) {
  ::setenv("LAKEFS_ENDPOINT", "http://h:1", 1);
  ::setenv("LAKEFS_ACCESS_KEY_ID", "ENVKEY", 1);
  EXPECT_THROW((void)lakefs::resolve_config({}), lakefs::ConfigurationError);
}

TEST_F(ConfigTest, MalformedYamlNamesTheFileNotTheSecret) {
  write_home_config("credentials:\n  secret_access_key: TOPSECRET\n  access_key_id: [unclosed\n");
  try {
    (void)lakefs::resolve_config({});
    FAIL() << "expected ConfigurationError";
  } catch (const lakefs::ConfigurationError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(".lakectl.yaml"), std::string::npos) << what;
    EXPECT_EQ(what.find("TOPSECRET"), std::string::npos) << what;
  }
}

TEST_F(ConfigTest, UnusableValueNamesTheKey) {
  write_home_config("server:\n  endpoint_url: [1, 2]\n");
  try {
    (void)lakefs::resolve_config({});
    FAIL() << "expected ConfigurationError";
  } catch (const lakefs::ConfigurationError& e) {
    EXPECT_NE(std::string(e.what()).find("server.endpoint_url"), std::string::npos) << e.what();
  }
}

TEST(Endpoint, Normalisation) {
  using lakefs::detail::normalize_endpoint;
  EXPECT_EQ(normalize_endpoint("http://h:8000", "t"), "http://h:8000/api/v1");
  EXPECT_EQ(normalize_endpoint("http://h:8000/", "t"), "http://h:8000/api/v1");
  EXPECT_EQ(normalize_endpoint("http://h:8000/api/v1", "t"), "http://h:8000/api/v1");
  EXPECT_EQ(normalize_endpoint("http://h:8000/api/v1/", "t"), "http://h:8000/api/v1");
  EXPECT_EQ(normalize_endpoint("https://h/prefix", "t"), "https://h/prefix/api/v1");
  EXPECT_EQ(normalize_endpoint("http://[::1]:8000", "t"), "http://[::1]:8000/api/v1");
}

TEST(Endpoint, Rejections) {
  using lakefs::detail::normalize_endpoint;
  EXPECT_THROW((void)normalize_endpoint("", "t"), lakefs::ConfigurationError);
  EXPECT_THROW((void)normalize_endpoint("127.0.0.1:8000", "t"), lakefs::ConfigurationError);
  EXPECT_THROW((void)normalize_endpoint("ftp://h", "t"), lakefs::ConfigurationError);
  EXPECT_THROW((void)normalize_endpoint("http://", "t"), lakefs::ConfigurationError);
  EXPECT_THROW((void)normalize_endpoint("http://h:port", "t"), lakefs::ConfigurationError);
  EXPECT_THROW((void)normalize_endpoint("http://h:8000?x=1", "t"), lakefs::ConfigurationError);
  EXPECT_THROW((void)normalize_endpoint("http://h x", "t"), lakefs::ConfigurationError);
}

TEST(Endpoint, UserInfoRejectedWithoutEchoingIt) {
  try {
    (void)lakefs::detail::normalize_endpoint("http://key:SECRETPW@h:8000", "t");
    FAIL();
  } catch (const lakefs::ConfigurationError& e) {
    EXPECT_EQ(std::string(e.what()).find("SECRETPW"), std::string::npos) << e.what();
  }
}

// --- endpoint hardening --------------------------------------------------------

// The message of the ConfigurationError that normalize_endpoint throws for `url`.
std::string endpoint_error(std::string_view url) {
  try {
    const auto normalized = lakefs::detail::normalize_endpoint(url, "the-source");
    ADD_FAILURE() << "accepted '" << url << "' as " << normalized;
  } catch (const lakefs::ConfigurationError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("the-source"), std::string::npos) << what;
    return what;
  }
  return {};
}

TEST(ConfigEndpoint, PortOutOfRange) {
  for (const char* url : {"http://h:0", "http://h:00", "http://h:65536", "http://h:99999", "http://h:123456",
                          "http://[::1]:0", "http://[::1]:70000"}) {
    SCOPED_TRACE(url);
    EXPECT_NE(endpoint_error(url).find("port"), std::string::npos);
  }
}

TEST(ConfigEndpoint, PortBounds) {
  using lakefs::detail::normalize_endpoint;
  EXPECT_EQ(normalize_endpoint("http://h:1", "t"), "http://h:1/api/v1");
  EXPECT_EQ(normalize_endpoint("http://h:65535", "t"), "http://h:65535/api/v1");
}

TEST(ConfigEndpoint, MalformedAuthority) {
  for (const char* url :
       {"http://[::1",      "http://[::1/api/v1", "http://h:80:80",  "http://[::1]:80:80", "http://[zz::1]",
        "http://[]",        "http://[::1]x",      "http://[::1]]",   "http://[1:2:3]",     "http://[::1%25eth0]",
        "http://h]",        "http://h[::1]",      "http://ho st",    "http://ho%20st",     "http://h%",
        "http://h!",        "http://h,i",         "http://:80",      "http://a..b",        "http://.a",
        "http://999.1.1.1", "http://1.2.3",       "http://01.2.3.4", "http://1234"}) {
    SCOPED_TRACE(url);
    (void)endpoint_error(url);
  }
}

TEST(ConfigEndpoint, MalformedPath) {
  for (const char* url :
       {"http://h/a/../api/v1", "http://h/./api/v1", "http://h/..", "http://h/.", "http://h/a/.", "http://h/%2e%2E/x",
        "http://h/.%2e", "http://h/%2e", "http://h/a b", "http://h/a\"b", "http://h/a<b", "http://h/a\\b",
        "http://h/%zz", "http://h/%2", "http://h/#f", "http://h/?q", "http://h/a\tb", "http://h/caf\xc3\xa9"}) {
    SCOPED_TRACE(url);
    (void)endpoint_error(url);
  }
}

TEST(ConfigEndpoint, GoodEndpoints) {
  using lakefs::detail::normalize_endpoint;
  EXPECT_EQ(normalize_endpoint("http://127.0.0.1:8000", "t"), "http://127.0.0.1:8000/api/v1");
  EXPECT_EQ(normalize_endpoint("https://[::1]:8443/prefix", "t"), "https://[::1]:8443/prefix/api/v1");
  EXPECT_EQ(normalize_endpoint("https://lakefs.example.com/api/v1/", "t"), "https://lakefs.example.com/api/v1");
  EXPECT_EQ(normalize_endpoint("https://lakefs.example.com.", "t"), "https://lakefs.example.com./api/v1");
  EXPECT_EQ(normalize_endpoint("http://lakefs_server:8000", "t"), "http://lakefs_server:8000/api/v1");
  EXPECT_EQ(normalize_endpoint("http://[::ffff:10.0.0.1]", "t"), "http://[::ffff:10.0.0.1]/api/v1");
  EXPECT_EQ(normalize_endpoint("http://[2001:DB8::1]:80/", "t"), "http://[2001:DB8::1]:80/api/v1");
  EXPECT_EQ(normalize_endpoint("http://h/a.../.b/..c/%41~/", "t"), "http://h/a.../.b/..c/%41~/api/v1");
}

TEST(ConfigEndpoint, NormalisedIsStable) {
  using lakefs::detail::normalize_endpoint;
  for (const char* url : {"http://h", "https://[::1]:8443/prefix/", "http://h/api/v1//"}) {
    const auto once = normalize_endpoint(url, "t");
    EXPECT_EQ(normalize_endpoint(once, "t"), once);
  }
}

TEST(ConfigEndpoint, PasswordWithSlashIsNotEchoed) {
  // The '/' in the password ends the authority early, so the secret lands in the path.
  const auto what = endpoint_error("http://key:pa/SECRETPW@h:8000");
  EXPECT_EQ(what.find("SECRETPW"), std::string::npos) << what;
}

TEST(ConfigEndpoint, LongUrlIsTruncatedInTheMessage) {
  const auto what = endpoint_error("http://h:1/" + std::string(5000, 'a') + "?q");
  EXPECT_LT(what.size(), 500U) << what;
}

// --- config file discovery -----------------------------------------------------

class ConfigFileTest : public ConfigTest {
 protected:
  // Resolves with the given LAKECTL_CONFIG_FILE and returns the ConfigurationError's message.
  std::string config_error(const std::string& file) {
    ::setenv("LAKECTL_CONFIG_FILE", file.c_str(), 1);
    try {
      (void)lakefs::resolve_config({});
      ADD_FAILURE() << "expected ConfigurationError";
    } catch (const lakefs::NoAuthenticationFoundError& e) {
      ADD_FAILURE() << "the file was silently skipped: " << e.what();
    } catch (const lakefs::ConfigurationError& e) {
      return e.what();
    }
    return {};
  }
};

TEST_F(ConfigFileTest, DirectoryIsAConfigurationError) {
  const auto what = config_error(home_.string());
  EXPECT_NE(what.find(home_.string()), std::string::npos) << what;
  EXPECT_NE(what.find("directory"), std::string::npos) << what;
}

TEST_F(ConfigFileTest, SymlinkLoopIsAConfigurationError) {
  fs::create_symlink(home_ / "b.yaml", home_ / "a.yaml");
  fs::create_symlink(home_ / "a.yaml", home_ / "b.yaml");
  const auto what = config_error((home_ / "a.yaml").string());
  EXPECT_NE(what.find("a.yaml"), std::string::npos) << what;
}

TEST_F(ConfigFileTest, VeryLongNameIsAConfigurationErrorAndTruncated) {
  const auto name = (home_ / std::string(5000, 'x')).string();
  const auto what = config_error(name);
  EXPECT_NE(what.find(name.substr(0, 200) + "..."), std::string::npos) << what;
  EXPECT_LT(what.size(), 1000U) << what;
}

TEST_F(ConfigFileTest, UnreadableFileIsAConfigurationError) {
  // A regular file that opens but cannot be read, even by root (tests may run as root, who ignores file modes):
  // reading /proc/self/mem at offset 0 fails with EIO, as a failing disk would.
  const auto what = config_error("/proc/self/mem");
  EXPECT_NE(what.find("/proc/self/mem"), std::string::npos) << what;
  EXPECT_NE(what.find("cannot"), std::string::npos) << what;
  // And a file whose mode forbids reading, where the mode is enforced (not for root).
  if (::geteuid() != 0) {
    const auto file = home_ / "secret.yaml";
    std::ofstream(file) << kFileConfig;
    fs::permissions(file, fs::perms::none);
    EXPECT_NE(config_error(file.string()).find("secret.yaml"), std::string::npos);
  }
}

TEST_F(ConfigFileTest, OversizedFileIsAConfigurationError) {
  const auto file = home_ / "huge.yaml";
  std::ofstream(file) << "# " << std::string(lakefs::detail::kMaxLakectlConfigBytes, 'x') << "\n";
  const auto what = config_error(file.string());
  EXPECT_NE(what.find("huge.yaml"), std::string::npos) << what;
}

TEST_F(ConfigFileTest, MissingFileIsSkipped) {
  ::setenv("LAKECTL_CONFIG_FILE", (home_ / "absent.yaml").c_str(), 1);
  EXPECT_THROW((void)lakefs::resolve_config({}), lakefs::NoAuthenticationFoundError);
}

TEST_F(ConfigFileTest, DevNullSwitchesTheFileOff) {
  write_home_config(kFileConfig);
  ::setenv("LAKECTL_CONFIG_FILE", "/dev/null", 1);
  EXPECT_THROW((void)lakefs::resolve_config({}), lakefs::NoAuthenticationFoundError);
}

// --- the lakectl config file's retries, parallelism and provider ------------------

TEST_F(ConfigTest, TheFilesRetriesAndParallelismBecomeTheClientsDefaults) {
  write_home_config(
      "server:\n  endpoint_url: http://file-host:8000\n  retries:\n    enabled: true\n    max_attempts: 7\n"
      "    min_wait_interval: 250ms\n    max_wait_interval: 1m30s\n"
      "credentials:\n  access_key_id: FILEKEY\n  secret_access_key: file-secret\n"
      "options:\n  parallelism: 25\n");
  const auto r = lakefs::resolve_config({});
  EXPECT_EQ(r.retry.max_retries, 7);
  EXPECT_EQ(r.retry.initial_backoff, std::chrono::milliseconds(250));
  EXPECT_EQ(r.retry.max_backoff, std::chrono::milliseconds(90'000));
  EXPECT_EQ(r.retry.max_retry_after, lakefs::RetryOptions{}.max_retry_after);  // not a lakectl setting
  EXPECT_NE(r.retry_source.find(".lakectl.yaml (server.retries)"), std::string::npos) << r.retry_source;
  EXPECT_EQ(r.transport.max_connections, 25u);
  EXPECT_NE(r.max_connections_source.find("(options.parallelism)"), std::string::npos) << r.max_connections_source;
}

TEST_F(ConfigTest, RetriesDisabledInTheFileMeansNoRetry) {
  write_home_config(std::string(kFileConfig) + "options: {}\n");
  EXPECT_EQ(lakefs::resolve_config({}).retry_source, "defaults");
  EXPECT_EQ(lakefs::resolve_config({}).max_connections_source, "defaults");
  write_home_config(
      "server:\n  endpoint_url: http://h:1\n  retries:\n    enabled: false\n    max_attempts: 9\n"
      "credentials:\n  access_key_id: K\n  secret_access_key: s\n");
  EXPECT_EQ(lakefs::resolve_config({}).retry.max_retries, 0);
}

TEST_F(ConfigTest, ExplicitOptionsBeatTheFilesRetriesAndParallelism) {
  write_home_config(
      "server:\n  endpoint_url: http://h:1\n  retries:\n    max_attempts: 9\n"
      "credentials:\n  access_key_id: K\n  secret_access_key: s\noptions:\n  parallelism: 4\n");
  lakefs::RetryOptions retry;
  retry.max_retries = 1;
  const auto r = lakefs::resolve_config({.max_connections = 8, .retry = retry});
  EXPECT_EQ(r.retry.max_retries, 1);
  EXPECT_EQ(r.retry_source, "explicit options");
  EXPECT_EQ(r.transport.max_connections, 8u);
  EXPECT_EQ(r.max_connections_source, "explicit options");
  // explicit_only never reads the file.
  const auto only = lakefs::resolve_config(
      {.endpoint = "http://h:1", .access_key_id = "K", .secret_access_key = "s", .explicit_only = true});
  EXPECT_EQ(only.retry.max_retries, lakefs::RetryOptions{}.max_retries);
  EXPECT_EQ(only.transport.max_connections, lakefs::TransportOptions{}.max_connections);
}

TEST_F(ConfigTest, AProviderTypeTheSdkDoesNotImplementIsATypedErrorNamingIt) {
  write_home_config(std::string(kFileConfig) + "  provider:\n    type: aws_iam\n");
  try {
    (void)lakefs::resolve_config({});
    FAIL() << "accepted";
  } catch (const lakefs::ConfigurationError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("credentials.provider.type 'aws_iam'"), std::string::npos) << what;
    EXPECT_NE(what.find(".lakectl.yaml"), std::string::npos) << what;
    EXPECT_EQ(what.find("file-secret"), std::string::npos) << what;
  }
  // Credentials found before the file: its provider is not used, so it is no error.
  ::setenv("LAKEFS_ACCESS_KEY_ID", "ENVKEY", 1);
  ::setenv("LAKEFS_SECRET_ACCESS_KEY", "env-secret", 1);
  EXPECT_EQ(lakefs::resolve_config({}).access_key_id, "ENVKEY");
}

TEST(LakectlConfigParse, RetriesAndParallelismNeedLakectlsValues) {
  for (const char* text :
       {"server:\n  retries:\n    enabled: yes-please\n", "server:\n  retries:\n    max_attempts: -1\n",
        "server:\n  retries:\n    max_attempts: 101\n", "server:\n  retries:\n    max_attempts: 3x\n",
        "server:\n  retries:\n    min_wait_interval: 2 fortnights\n",
        "server:\n  retries:\n    max_wait_interval: -5s\n", "server:\n  retries: 3\n", "options:\n  parallelism: 0\n",
        "options:\n  parallelism: 100000\n", "credentials:\n  provider: aws_iam\n"}) {
    SCOPED_TRACE(text);
    EXPECT_THROW((void)lakefs::detail::parse_lakectl_config(text, "f"), lakefs::ConfigurationError);
  }
  const auto c = lakefs::detail::parse_lakectl_config(
      "server:\n  retries:\n    enabled: False\n    max_attempts: 0\n    min_wait_interval: 0\n"
      "    max_wait_interval: 1.5s\noptions:\n  parallelism: 1\ncredentials:\n  provider:\n    type: x\n",
      "f");
  EXPECT_EQ(c.retries_enabled, std::optional<bool>(false));
  EXPECT_EQ(c.retries_max_attempts, std::optional<int>(0));
  EXPECT_EQ(c.retries_min_wait, std::optional<std::chrono::milliseconds>(0));
  EXPECT_EQ(c.retries_max_wait, std::optional<std::chrono::milliseconds>(1500));
  EXPECT_EQ(c.parallelism, std::optional<std::size_t>(1));
  EXPECT_EQ(c.provider_type, "x");
}

TEST(LakectlConfigParse, GoDurations) {
  using lakefs::detail::parse_go_duration;
  using std::chrono::nanoseconds;
  EXPECT_EQ(parse_go_duration("200ms"), nanoseconds(200'000'000));
  EXPECT_EQ(parse_go_duration("30s"), nanoseconds(30'000'000'000));
  EXPECT_EQ(parse_go_duration("1m30s"), nanoseconds(90'000'000'000));
  EXPECT_EQ(parse_go_duration("1h"), nanoseconds(3'600'000'000'000));
  EXPECT_EQ(parse_go_duration("1.5s"), nanoseconds(1'500'000'000));
  EXPECT_EQ(parse_go_duration("2us"), nanoseconds(2'000));
  EXPECT_EQ(parse_go_duration("2\u00b5s"), nanoseconds(2'000));
  EXPECT_EQ(parse_go_duration("7ns"), nanoseconds(7));
  EXPECT_EQ(parse_go_duration("1500"), nanoseconds(1500));  // a bare number: nanoseconds, as lakectl reads it
  EXPECT_EQ(parse_go_duration("0"), nanoseconds(0));
  EXPECT_EQ(parse_go_duration("+1s"), nanoseconds(1'000'000'000));
  for (const char* bad : {"", "s", "-1s", "1x", "1 s", "1.s5", "ms", ".s", "+", "9999999999999h"}) {
    EXPECT_FALSE(parse_go_duration(bad).has_value()) << bad;
  }
}

// --- lakectl config text -------------------------------------------------------

TEST(LakectlConfigParse, ReadsAllFields) {
  const auto c = lakefs::detail::parse_lakectl_config(
      "server:\n  endpoint_url: http://h:1\ncredentials:\n  access_key_id: K\n  secret_access_key: S\n"
      "  session_token: T\nother: [1, 2]\n",
      "f");
  EXPECT_EQ(c.endpoint_url, "http://h:1");
  EXPECT_EQ(c.access_key_id, "K");
  EXPECT_EQ(c.secret_access_key, "S");
  EXPECT_EQ(c.session_token, "T");
}

TEST(LakectlConfigParse, EmptyAndNullDocumentsAreEmpty) {
  for (const char* text : {"", "\n", "~\n", "null", "# only a comment\n", "server:\ncredentials: ~\n"}) {
    const auto c = lakefs::detail::parse_lakectl_config(text, "f");
    EXPECT_TRUE(c.endpoint_url.empty() && c.access_key_id.empty() && c.secret_access_key.empty() &&
                c.session_token.empty())
        << text;
  }
}

TEST(LakectlConfigParse, BadShapesNameTheFileAndNotTheContents) {
  for (const char* text :
       {"- TOPSECRET\n", "TOPSECRET\n", "server: TOPSECRET\n", "credentials:\n  secret_access_key: {a: TOPSECRET}\n",
        "credentials:\n  secret_access_key: [TOPSECRET\n", "credentials: {secret_access_key: \"TOPSECRET\n",
        "credentials:\n  secret_access_key: *TOPSECRET\n",
        // yaml-cpp's own message quotes the bad version (found by fuzz_lakectl_config).
        "%YAML TOPSECRET\n---\na: b\n"}) {
    SCOPED_TRACE(text);
    try {
      (void)lakefs::detail::parse_lakectl_config(text, "the-file.yaml");
      ADD_FAILURE() << "accepted";
    } catch (const lakefs::ConfigurationError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("the-file.yaml"), std::string::npos) << what;
      EXPECT_EQ(what.find("TOPSECRET"), std::string::npos) << what;
    }
  }
}

TEST(LakectlConfigParse, OversizedTextIsRejected) {
  const std::string text(lakefs::detail::kMaxLakectlConfigBytes + 1, '#');
  EXPECT_THROW((void)lakefs::detail::parse_lakectl_config(text, "f"), lakefs::ConfigurationError);
}

// --- option validation ---------------------------------------------------------

lakefs::ClientOptions complete_options() {
  return {.endpoint = "http://h:1", .access_key_id = "K", .secret_access_key = "S", .explicit_only = true};
}

std::string option_error(const lakefs::ClientOptions& options) {
  try {
    (void)lakefs::resolve_config(options);
    ADD_FAILURE() << "expected ConfigurationError";
  } catch (const lakefs::ConfigurationError& e) {
    return e.what();
  }
  return {};
}

TEST(ConfigOptions, NegativeOrZeroConnectTimeoutIsRejected) {
  using namespace std::chrono_literals;
  for (const auto value : {-1ms, 0ms, -10000ms}) {
    auto options = complete_options();
    options.connect_timeout = value;
    EXPECT_NE(option_error(options).find("connect_timeout"), std::string::npos);
  }
}

TEST(ConfigOptions, NegativeRequestAndLowSpeedTimeoutsAreRejected) {
  using namespace std::chrono_literals;
  auto options = complete_options();
  options.request_timeout = -1ms;
  EXPECT_NE(option_error(options).find("request_timeout"), std::string::npos);
  options = complete_options();
  options.low_speed_timeout = -1ms;
  EXPECT_NE(option_error(options).find("low_speed_timeout"), std::string::npos);
}

TEST(ConfigOptions, ZeroRequestAndLowSpeedTimeoutsMeanNone) {
  using namespace std::chrono_literals;
  auto options = complete_options();
  options.connect_timeout = 1ms;
  options.request_timeout = 0ms;
  options.low_speed_timeout = 0ms;
  const auto r = lakefs::resolve_config(options);
  EXPECT_EQ(r.transport.connect_timeout, 1ms);
  EXPECT_EQ(r.transport.request_timeout, 0ms);
  EXPECT_EQ(r.transport.low_speed_timeout, 0ms);
}

TEST(ConfigOptions, ReceiveBufferSizeAndConnectionsDefaultsAndBounds) {
  auto options = complete_options();
  auto r = lakefs::resolve_config(options);
  EXPECT_EQ(r.transport.max_connections, 32u);
  EXPECT_EQ(r.transport.receive_buffer_size, 512u * 1024);
  options.receive_buffer_size = 64 * 1024;
  r = lakefs::resolve_config(options);
  EXPECT_EQ(r.transport.receive_buffer_size, 64u * 1024);
  for (const std::size_t bad : {std::size_t{0}, std::size_t{1023}, std::size_t{(10u << 20) + 1}}) {
    options.receive_buffer_size = bad;
    EXPECT_NE(option_error(options).find("receive_buffer_size"), std::string::npos) << bad;
  }
}

}  // namespace
