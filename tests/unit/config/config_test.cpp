// Configuration discovery: precedence, file parsing, endpoint normalisation
// and error messages, with a temporary HOME and a controlled environment.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "config/endpoint.hpp"
#include "lakefs/client.hpp"
#include "lakefs/errors.hpp"

namespace fs = std::filesystem;

namespace {

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
  EXPECT_EQ(r.transport.access_key_id, "FILEKEY");
  EXPECT_EQ(r.transport.secret_access_key, "file-secret");
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
  EXPECT_EQ(r.transport.access_key_id, "O");
}

TEST_F(ConfigTest, EnvironmentBeatsFileAndLakefsBeatsLakectl) {
  write_home_config(kFileConfig);
  ::setenv("LAKECTL_SERVER_ENDPOINT_URL", "http://lakectl-env:1", 1);
  ::setenv("LAKECTL_CREDENTIALS_ACCESS_KEY_ID", "CTLKEY", 1);
  ::setenv("LAKECTL_CREDENTIALS_SECRET_ACCESS_KEY", "ctl-secret", 1);
  auto r = lakefs::resolve_config({});
  EXPECT_EQ(r.transport.endpoint, "http://lakectl-env:1/api/v1");
  EXPECT_EQ(r.transport.access_key_id, "CTLKEY");

  ::setenv("LAKEFS_ENDPOINT", "http://lakefs-env:2", 1);
  ::setenv("LAKEFS_ACCESS_KEY_ID", "ENVKEY", 1);
  ::setenv("LAKEFS_SECRET_ACCESS_KEY", "env-secret", 1);
  r = lakefs::resolve_config({});
  EXPECT_EQ(r.transport.endpoint, "http://lakefs-env:2/api/v1");
  EXPECT_EQ(r.transport.access_key_id, "ENVKEY");
  EXPECT_EQ(r.transport.secret_access_key, "env-secret");
}

TEST_F(ConfigTest, ExplicitBeatsEverything) {
  write_home_config(kFileConfig);
  ::setenv("LAKEFS_ENDPOINT", "http://lakefs-env:2", 1);
  ::setenv("LAKEFS_ACCESS_KEY_ID", "ENVKEY", 1);
  ::setenv("LAKEFS_SECRET_ACCESS_KEY", "env-secret", 1);
  const auto r = lakefs::resolve_config(
      {.endpoint = "https://explicit/", .access_key_id = "EXP", .secret_access_key = "exp-secret"});
  EXPECT_EQ(r.transport.endpoint, "https://explicit/api/v1");
  EXPECT_EQ(r.transport.access_key_id, "EXP");
  EXPECT_EQ(r.credentials_source, "explicit options");
}

TEST_F(ConfigTest, FieldsResolveIndependently) {
  // Endpoint explicit, credentials from the environment.
  ::setenv("LAKEFS_ACCESS_KEY_ID", "ENVKEY", 1);
  ::setenv("LAKEFS_SECRET_ACCESS_KEY", "env-secret", 1);
  const auto r = lakefs::resolve_config({.endpoint = "http://explicit:9"});
  EXPECT_EQ(r.transport.endpoint, "http://explicit:9/api/v1");
  EXPECT_EQ(r.transport.access_key_id, "ENVKEY");
}

TEST_F(ConfigTest, SessionTokenWinsOverKeys) {
  ::setenv("LAKECTL_SERVER_ENDPOINT_URL", "http://h:1", 1);
  ::setenv("LAKECTL_CREDENTIALS_ACCESS_KEY_ID", "CTLKEY", 1);
  ::setenv("LAKECTL_CREDENTIALS_SECRET_ACCESS_KEY", "ctl-secret", 1);
  ::setenv("LAKECTL_CREDENTIALS_SESSION_TOKEN", "tok", 1);
  const auto r = lakefs::resolve_config({});
  EXPECT_EQ(r.transport.session_token, "tok");
  EXPECT_TRUE(r.transport.access_key_id.empty());
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

}  // namespace
