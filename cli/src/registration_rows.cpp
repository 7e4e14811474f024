// The registration rows of the environment check (environment-rows.js registrationRows).

#include <vector>

#include "environment_rows.hpp"
#include "row_parts.hpp"

namespace certbridge::cli {

using json = nlohmann::json;
using namespace row_parts;

// Whether each card's certificates are registered in this computer's certificate stores (the host's
// "registration", from the registry's inspect()). Only needed outside the portal: "not registered" is a fact
// with a hint, a partial registration a warning.
void addRegistrationRows(const json& registration, std::vector<Row>& rows) {
  if (!registration.is_object()) return;
  if (get(registration, "supported") == false) {
    rows.push_back(Row{"registration",
                       nullptr,
                       "certificates",
                       "unknown",
                       line("envCheck.row.registrationHere"),
                       {line("envCheck.value.registrationNotSupported")},
                       nullptr,
                       nullptr});
    return;
  }
  const json& cards = get(registration, "cards");
  for (const auto& card : cards.is_array() ? cards : json::array()) {
    const json subject = !get(card, "token").is_null()    ? get(card, "token")
                         : !get(card, "reader").is_null() ? get(card, "reader")
                                                          : json("");
    Row row{"registration", subject, "certificates", "ok", line("envCheck.row.registration", {{"label", subject}}), {},
            nullptr,        nullptr};
    if (truthy(get(card, "error"))) {
      row.status = "warning";
      row.error = get(card, "error");
      rows.push_back(std::move(row));
      continue;
    }
    std::vector<json> registered;
    std::vector<json> missing;
    const json& stores = get(card, "stores");
    for (const auto& store : stores.is_array() ? stores : json::array()) {
      const json& name = !get(store, "name").is_null() ? get(store, "name") : get(store, "kind");
      json params = {{"store", name.is_null() ? std::string() : text(name)},
                     {"location", get(store, "location").is_null() ? std::string() : text(get(store, "location"))}};
      if (get(store, "registered") == true) {
        registered.push_back(line("envCheck.value.storeRegistered", std::move(params)));
      } else {
        missing.push_back(line("envCheck.value.storeNotRegistered", std::move(params)));
      }
    }
    if (registered.empty()) {
      row.details.push_back(line("envCheck.value.notRegistered"));
      row.details.insert(row.details.end(), missing.begin(), missing.end());
      row.fix = line("envCheck.fix.registerOptional");
    } else if (missing.empty()) {
      row.details = registered;
    } else {
      row.status = "warning";
      row.details = registered;
      row.details.insert(row.details.end(), missing.begin(), missing.end());
      row.fix = line("envCheck.fix.registerAgain");
    }
    rows.push_back(std::move(row));
  }
}

}  // namespace certbridge::cli
