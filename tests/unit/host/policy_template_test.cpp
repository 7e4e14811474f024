// The Group Policy template (installer/policies/windows/certbridge.admx) sets exactly the registry values the
// host reads (host_policy.hpp): same key, same value names, log levels the host accepts. A rename on either
// side fails here instead of leaving IT's policy unread.

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "certbridge/host/host_policy.hpp"
#include "certbridge/host/logging.hpp"

namespace certbridge::host {
namespace {

std::string readAdmx() {
  std::ifstream in(CERTBRIDGE_ADMX_FILE, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string attribute(const std::string& tag, const std::string& name) {
  std::smatch match;
  const std::regex pattern("\\b" + name + "=\"([^\"]*)\"");
  return std::regex_search(tag, match, pattern) ? match[1].str() : std::string();
}

struct AdmxPolicy {
  std::string name;
  std::string key;
  std::string body;  // the elements, enabled and disabled values
};

std::vector<AdmxPolicy> policies(const std::string& admx) {
  std::vector<AdmxPolicy> found;
  const std::regex pattern(R"re((<policy\s[^>]*>)([\s\S]*?)</policy>)re");
  for (auto it = std::sregex_iterator(admx.begin(), admx.end(), pattern); it != std::sregex_iterator(); ++it) {
    const std::string tag = (*it)[1].str();
    found.push_back({attribute(tag, "name"), attribute(tag, "key"), (*it)[2].str()});
  }
  return found;
}

TEST(PolicyTemplate, SetsExactlyTheHostsRegistryValues) {
  const std::string admx = readAdmx();
  ASSERT_FALSE(admx.empty()) << "cannot read " << CERTBRIDGE_ADMX_FILE;
  std::set<std::string> valueNames;
  int hostPolicies = 0;
  for (const auto& policy : policies(admx)) {
    if (policy.key.find("CertBridge") == std::string::npos) continue;  // the browsers' keys
    ++hostPolicies;
    EXPECT_EQ(policy.key, kPolicyKey) << policy.name;
    const std::regex valueName(R"re(<(text|enum|decimal|boolean|list)\s[^>]*valueName="([^"]*)")re");
    for (auto it = std::sregex_iterator(policy.body.begin(), policy.body.end(), valueName);
         it != std::sregex_iterator(); ++it) {
      EXPECT_TRUE(valueNames.insert((*it)[2].str()).second) << "set twice: " << (*it)[2].str();
    }
  }
  EXPECT_EQ(hostPolicies, static_cast<int>(kPolicyValueNames.size()));
  EXPECT_EQ(valueNames, std::set<std::string>(kPolicyValueNames.begin(), kPolicyValueNames.end()));
}

TEST(PolicyTemplate, OffersTheLogLevelsTheHostAccepts) {
  const std::string admx = readAdmx();
  std::set<std::string> offered;
  for (const auto& policy : policies(admx)) {
    if (policy.body.find("valueName=\"" + std::string(kPolicyLogLevel) + "\"") == std::string::npos) continue;
    const std::regex item(R"re(<string>([^<]*)</string>)re");
    for (auto it = std::sregex_iterator(policy.body.begin(), policy.body.end(), item); it != std::sregex_iterator();
         ++it) {
      offered.insert((*it)[1].str());
      EXPECT_TRUE(isValidLogLevel((*it)[1].str())) << (*it)[1].str();
    }
  }
  EXPECT_EQ(offered, (std::set<std::string>{"trace", "debug", "info", "warn", "error", "critical", "off"}));
}

}  // namespace
}  // namespace certbridge::host
