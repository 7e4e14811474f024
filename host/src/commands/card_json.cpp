#include "card_json.hpp"

namespace certbridge::host::commands {

nlohmann::json atrJson(const card::ReaderState& reader) {
  if (reader.atr.empty()) return nullptr;
  return card::formatAtr(reader.atr);
}

nlohmann::json profileJson(const card::CardProfile* profile) {
  if (profile == nullptr) return nullptr;
  return {{"id", profile->id}, {"displayName", profile->displayName}};
}

nlohmann::json readerJson(const card::ReaderState& reader, const card::CardProfile* profile) {
  return {{"name", reader.name},
          {"cardPresent", reader.cardPresent},
          {"pinPad", reader.pinPad},
          {"atr", atrJson(reader)},
          {"profile", profileJson(profile)}};
}

nlohmann::json pinStatusJson(const PinStatus& status) {
  const auto orNull = [](const std::optional<int>& value) { return value ? nlohmann::json(*value) : nullptr; };
  return {{"state", toString(status.state)},
          {"triesLeft", orNull(status.triesLeft)},
          {"locksAfter", orNull(status.locksAfter)}};
}

}  // namespace certbridge::host::commands
