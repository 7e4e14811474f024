#include "card_keys.hpp"

#include <chrono>
#include <optional>
#include <regex>

#include "crypto/encoding.hpp"

namespace certbridge::host::commands {
namespace {

// Whole days from a calendar date (UTC) to now; nullopt when the date is not a real one.
std::optional<long> daysSince(int year, int month, int day, std::time_t now) {
  using namespace std::chrono;
  const year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                            std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return std::nullopt;
  const auto today = floor<days>(system_clock::from_time_t(now));
  const long age = static_cast<long>((today - sys_days{date}).count());
  return age > 0 ? age : 0;
}

}  // namespace

nlohmann::json keyWithoutCertificateJson(const card::KeyWithoutCertificate& key, std::time_t now) {
  nlohmann::json usage = nullptr;
  nlohmann::json createdOn = nullptr;
  nlohmann::json ageDays = nullptr;
  // keyLabel (key_request_params.cpp) names our keys "Signing key 2026-11-21".
  static const std::regex kOurLabel(R"(^(Signing|Encryption|Dual) key ((\d{4})-(\d{2})-(\d{2}))$)");
  std::smatch match;
  if (std::regex_match(key.label, match, kOurLabel)) {
    std::string name = match[1];
    name[0] = static_cast<char>(name[0] - 'A' + 'a');
    usage = name;
    createdOn = match[2].str();
    if (const auto age = daysSince(std::stoi(match[3]), std::stoi(match[4]), std::stoi(match[5]), now)) ageDays = *age;
  }
  return {{"keyId", crypto::hexEncode(key.id)},
          {"label", key.label},
          {"keySize", key.bits},
          {"usage", usage},
          {"createdOn", createdOn},
          {"ageDays", ageDays}};
}

nlohmann::json cardKeysWithoutCertificate(CardOperation& operation, card::SessionMode mode, std::time_t now) {
  nlohmann::json keys = nlohmann::json::array();
  for (const std::size_t group : operation.tokenPinGroups()) {
    for (const auto& key : card::keysWithoutCertificate(operation.session(group, mode))) {
      nlohmann::json entry = keyWithoutCertificateJson(key, now);
      entry["pinGroup"] = group;
      keys.push_back(std::move(entry));
    }
  }
  return keys;
}

}  // namespace certbridge::host::commands
