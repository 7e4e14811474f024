#include "catalogue.hpp"

#if defined(_WIN32)
#include <windows.h>
#endif

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <stdexcept>

namespace certbridge::cli {

extern const unsigned char kEmbeddedCatalogue[];
extern const std::size_t kEmbeddedCatalogueSize;

namespace {

using json = nlohmann::json;

std::string lowerCase(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

std::string primarySubtag(std::string_view tag) {
  const std::string lower = lowerCase(tag);
  return lower.substr(0, lower.find_first_of("-_"));
}

// JavaScript's String(value) for the values row parameters hold.
std::string asText(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number_integer() || value.is_number_unsigned()) return value.dump();
  if (value.is_number_float()) {
    const double number = value.get<double>();
    if (number == static_cast<double>(static_cast<long long>(number))) {
      return std::to_string(static_cast<long long>(number));
    }
    return value.dump();
  }
  return value.dump();
}

const json* member(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto found = object.find(key);
  return found == object.end() ? nullptr : &*found;
}

}  // namespace

std::string fillIn(std::string_view text, const json& params) {
  std::string out;
  std::size_t position = 0;
  while (position < text.size()) {
    const std::size_t open = text.find('{', position);
    if (open == std::string_view::npos) break;
    std::size_t close = open + 1;
    while (close < text.size() && (std::isalnum(static_cast<unsigned char>(text[close])) || text[close] == '_')) {
      ++close;
    }
    out.append(text.substr(position, open - position));
    if (close < text.size() && text[close] == '}' && close > open + 1) {
      const json* value = member(params, text.substr(open + 1, close - open - 1));
      if (value != nullptr && !value->is_null()) {
        out += asText(*value);
      } else {
        out.append(text.substr(open, close + 1 - open));
      }
      position = close + 1;
    } else {
      out += '{';
      position = open + 1;
    }
  }
  out.append(text.substr(std::min(position, text.size())));
  return out;
}

const Catalogue& Catalogue::embedded() {
  static const Catalogue catalogue(
      std::string_view(reinterpret_cast<const char*>(kEmbeddedCatalogue), kEmbeddedCatalogueSize));
  return catalogue;
}

Catalogue::Catalogue(std::string_view text) : catalogue_(json::parse(text)) {
  if (!catalogue_.is_object() || !catalogue_.contains("ui") || !catalogue_.contains("errors") ||
      !catalogue_.value("defaultLanguage", json()).is_string()) {
    throw std::runtime_error("not a message catalogue");
  }
  defaultLanguage_ = catalogue_["defaultLanguage"].get<std::string>();
}

std::string Catalogue::pickLanguage(std::string_view tag) const {
  std::string wanted(tag);
  wanted.erase(0, wanted.find_first_not_of(" \t"));
  wanted.erase(wanted.find_last_not_of(" \t") + 1);
  if (wanted.empty()) return defaultLanguage_;
  // POSIX locales carry an encoding and modifier ("zh_TW.UTF-8@euro"): the language is before them.
  wanted = wanted.substr(0, wanted.find_first_of(".@"));
  std::replace(wanted.begin(), wanted.end(), '_', '-');
  const std::string lower = lowerCase(wanted);
  const json& languages = catalogue_["languages"];
  for (const auto& language : languages) {
    if (lowerCase(language.get<std::string>()) == lower) return language.get<std::string>();
  }
  for (const auto& language : languages) {
    if (primarySubtag(language.get<std::string>()) == primarySubtag(lower)) return language.get<std::string>();
  }
  for (const auto& language : languages) {
    if (language.get<std::string>() == "en") return "en";
  }
  return defaultLanguage_;
}

std::string Catalogue::languageFromEnvironment() const {
  for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') continue;
    const std::string_view tag(value);
    if (tag == "C" || tag == "POSIX" || tag.rfind("C.", 0) == 0) return pickLanguage("en");
    return pickLanguage(tag);
  }
#if defined(_WIN32)
  // Windows says it through the user's display language ("zh-TW", "en-US"), not through variables.
  std::array<wchar_t, LOCALE_NAME_MAX_LENGTH> name{};
  const int length = ::LCIDToLocaleName(::GetUserDefaultUILanguage(), name.data(), static_cast<int>(name.size()), 0);
  if (length > 1) return pickLanguage(std::string(name.data(), name.data() + length - 1));  // ASCII tags
#endif
  return defaultLanguage_;
}

std::string Catalogue::inLanguage(const json& localized, std::string_view language) const {
  if (const json* text = member(localized, language); text != nullptr && text->is_string()) return *text;
  if (const json* text = member(localized, defaultLanguage_); text != nullptr && text->is_string()) return *text;
  return {};
}

std::optional<std::string> Catalogue::uiText(std::string_view key, std::string_view language) const {
  const json* entry = member(catalogue_["ui"], key);
  if (entry == nullptr) return std::nullopt;
  return inLanguage(*entry, language);
}

std::string Catalogue::partText(const json& part, std::string_view language) const {
  if (const json* text = member(part, "text"); text != nullptr) return asText(*text);
  const json* key = member(part, "key");
  if (key == nullptr || !key->is_string()) return {};
  const json* params = member(part, "params");
  return text(key->get<std::string>(), language, params != nullptr ? *params : json::object());
}

std::string Catalogue::text(std::string_view key, std::string_view language, const json& params) const {
  std::optional<std::string> templateText = uiText(key, language);
  if (!templateText) templateText = uiText(key, "en");
  if (!templateText) return std::string(key);
  if (!params.is_object() || params.empty()) return *templateText;
  const std::string separator = uiText("envCheck.listSeparator", language).value_or(", ");
  json shown = json::object();
  for (const auto& [name, value] : params.items()) {
    if (!value.is_array()) {
      shown[name] = value;
      continue;
    }
    std::string joined;
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (i > 0) joined += separator;
      joined += partText(value[i], language);
    }
    shown[name] = joined;
  }
  return fillIn(*templateText, shown);
}

std::optional<ErrorText> Catalogue::errorText(const json& error, std::string_view language) const {
  const json* code = member(error, "code");
  if (code == nullptr || !code->is_string()) return std::nullopt;
  const json* entry = member(catalogue_["errors"], code->get<std::string>());
  if (entry == nullptr) return std::nullopt;
  const json* causes = member(*entry, "causes");
  const json* causeName = member(error, "cause");
  const json* cause = causes != nullptr && causeName != nullptr && causeName->is_string()
                          ? member(*causes, causeName->get<std::string>())
                          : nullptr;
  const json* fixes = member(*entry, "fixByOs");
  const json* osName = member(error, "os");
  const json* osFix = fixes != nullptr && osName != nullptr && osName->is_string()
                          ? member(*fixes, osName->get<std::string>())
                          : nullptr;
  const json* message =
      cause != nullptr && member(*cause, "message") ? member(*cause, "message") : member(*entry, "message");
  const json* fix = cause != nullptr && member(*cause, "fix") ? member(*cause, "fix")
                    : osFix != nullptr                        ? osFix
                                                              : member(*entry, "fix");
  return ErrorText{message != nullptr ? inLanguage(*message, language) : std::string(),
                   fix != nullptr ? inLanguage(*fix, language) : std::string()};
}

std::string Catalogue::errorMessage(const json& error, std::string_view language) const {
  if (auto text = errorText(error, language)) return text->message;
  if (const json* message = member(error, "message"); message != nullptr && message->is_string()) return *message;
  if (const json* code = member(error, "code"); code != nullptr && code->is_string()) return *code;
  return {};
}

std::string Catalogue::errorFix(const json& error, std::string_view language) const {
  if (auto text = errorText(error, language)) return text->fix;
  if (const json* fix = member(error, "fix"); fix != nullptr && fix->is_string()) return *fix;
  return {};
}

}  // namespace certbridge::cli
