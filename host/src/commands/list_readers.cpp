#include "card_access.hpp"
#include "card_json.hpp"
#include "certbridge/card/readers.hpp"
#include "certbridge/host/param_validator.hpp"
#include "commands.hpp"

namespace certbridge::host::commands {

CommandRun prepareListReaders(nlohmann::json& params) {
  ParamValidator validator(params, {});
  return [](CommandContext& context) -> nlohmann::json {
    // A fresh context each time, so a restarted PC/SC service is picked up; no PKCS#11 module is loaded.
    card::PcscContext pcsc;
    const auto readers = pcsc.readers();
    const auto& profiles = context.card->locator().profiles();
    nlohmann::json list = nlohmann::json::array();
    for (const auto& reader : readers) {
      const card::CardProfile* profile = reader.cardPresent ? profiles.match(reader.atr) : nullptr;
      list.push_back(readerJson(reader, profile));
    }
    return {{"readers", std::move(list)}};
  };
}

}  // namespace certbridge::host::commands
