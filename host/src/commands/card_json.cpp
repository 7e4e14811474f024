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
  return {{"state", toString(status.state)},
          {"triesLeft", status.triesLeft ? nlohmann::json(*status.triesLeft) : nlohmann::json(nullptr)}};
}

}  // namespace certbridge::host::commands
