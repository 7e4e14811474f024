#pragma once
// The message catalogue (extension/shared/messages.json, embedded at build time): the same words as the
// environment-check page and the extension's windows, in zh-TW and English. Lookups follow the page's
// localization module (extension/common/localization.js) and translator (environment-check/catalogue.js).

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace certbridge::cli {

/// An error's user text and fix in one language.
struct ErrorText {
  std::string message;
  std::string fix;
};

class Catalogue {
 public:
  /// The embedded catalogue (parsed once).
  static const Catalogue& embedded();

  /// Parses a catalogue; throws std::runtime_error when it is not one.
  explicit Catalogue(std::string_view json);

  const std::string& defaultLanguage() const noexcept { return defaultLanguage_; }

  /// A BCP 47 tag or POSIX locale ("zh_TW.UTF-8") -> a catalogue language, as pickLanguage does: exact,
  /// else same primary language, else English; empty -> the default language.
  std::string pickLanguage(std::string_view tag) const;

  /// The language of the user's locale (LC_ALL, LC_MESSAGES, LANG); "C" and "POSIX" mean English.
  std::string languageFromEnvironment() const;

  /// The "ui" text of key with each {name} filled from params (arrays of parts are translated and joined
  /// with envCheck.listSeparator); the English text when the language lacks it; the key when unknown.
  std::string text(std::string_view key, std::string_view language,
                   const nlohmann::json& params = nlohmann::json::object()) const;

  /// A part of a row: {"key", "params"} (translated) or {"text"} (as it is).
  std::string partText(const nlohmann::json& part, std::string_view language) const;

  /// The catalogue's text for an error object ({code, cause?, os?, ...}); nullopt for an unknown code.
  std::optional<ErrorText> errorText(const nlohmann::json& error, std::string_view language) const;

  /// The user text of an error: the catalogue's, else its own message, else its code.
  std::string errorMessage(const nlohmann::json& error, std::string_view language) const;

  /// How to fix an error: the catalogue's, else its own fix; empty when there is none.
  std::string errorFix(const nlohmann::json& error, std::string_view language) const;

 private:
  std::optional<std::string> uiText(std::string_view key, std::string_view language) const;
  std::string inLanguage(const nlohmann::json& localized, std::string_view language) const;

  nlohmann::json catalogue_;
  std::string defaultLanguage_;
};

/// Replaces each {name} in a template with params[name] (strings as they are, numbers in decimal); names
/// params lacks, or holds null for, stay as they are.
std::string fillIn(std::string_view text, const nlohmann::json& params);

}  // namespace certbridge::cli
