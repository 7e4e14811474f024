// protectSavedFile: a PKCS#12 file the browser has just saved for exportPkcs12 or changePkcs12Password made
// readable by its owner only. The downloads API sets no file mode (Chromium and Firefox save 0644), and the
// host writes no file itself, so the extension names the saved file here once the download is complete.
// Host-only: the extension refuses it from a page, so a page cannot name files.

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string>
#include <variant>

#include <spdlog/spdlog.h>

#include "certbridge/host/param_validator.hpp"
#include "certbridge/host/protocol_error.hpp"
#include "commands.hpp"
#include "platform/environment.hpp"
#include "platform/owner_only_file.hpp"

namespace certbridge::host::commands {
namespace {

// An absolute path as the downloads API reports it (PATH_MAX on Linux).
constexpr StringRule kPathRule{1, 4096, Charset::Printable};

bool hasPkcs12Extension(const std::filesystem::path& path) {
  std::string extension = platform::pathToUtf8(path.extension());
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension == ".p12" || extension == ".pfx";
}

}  // namespace

CommandRun prepareProtectSavedFile(nlohmann::json& params) {
  const ParamValidator validator(params, {"path"});
  // UTF-8 from the browser: on Windows a std::filesystem::path from a narrow string would read it in the ANSI
  // code page.
  const std::filesystem::path path = platform::pathFromUtf8(validator.requiredString("path", kPathRule));
  if (!path.is_absolute()) throw badRequest(validator.field("path"), "not an absolute path");
  // Only what the extension saves: a .p12 or .pfx file (safeFileName gives every saved file one of these).
  if (!hasPkcs12Extension(path)) throw badRequest(validator.field("path"), "not a .p12 or .pfx file");
  return [path](CommandContext&) -> nlohmann::json {
    const auto outcome = platform::restrictToOwner(path);
    if (const auto* refusal = std::get_if<platform::OwnerOnlyRefusal>(&outcome)) {
      // The path is the user's own file name: never logged.
      spdlog::warn("protectSavedFile: {}", refusal->reason);
      if (refusal->notAllowed) throw badRequest("params.path", refusal->reason);
      throw ProtocolError(ErrorCode::InternalError, {{"reason", refusal->reason}});
    }
    const auto& done = std::get<platform::OwnerOnlyOutcome>(outcome);
    const auto text = [](const std::optional<std::string>& mode) {
      return mode ? nlohmann::json(*mode) : nlohmann::json(nullptr);
    };
    return {{"previousMode", text(done.previousMode)}, {"mode", text(done.mode)}};
  };
}

}  // namespace certbridge::host::commands
