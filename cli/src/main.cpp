// certbridge: the command-line card tool and doctor, a thin front end over the host's command layer.
//   certbridge doctor [--json] [--lang zh-TW|en] [--destdir DIR] [--from-environment FILE]
//   certbridge card list|certificates|register|unregister|change-pin|unblock-request [options]
//   certbridge support-bundle [FILE]
// Usage text and messages: extension/shared/messages.json ("cli.*", "envCheck.*", "consent.*").

#include <charconv>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "card_commands.hpp"
#include "catalogue.hpp"
#include "certbridge/build_info.hpp"
#include "certbridge/host/host_policy.hpp"
#include "certbridge/host/logging.hpp"
#include "doctor.hpp"
#include "platform/environment.hpp"
#include "process_hardening.hpp"
#include "report_text.hpp"
#include "secret_memory.hpp"
#include "support_bundle.hpp"
#include "terminal.hpp"

namespace {

using namespace certbridge;
using json = nlohmann::json;

constexpr int kUsageError = 64;  // EX_USAGE

struct Arguments {
  std::string command;
  std::vector<std::string> positional;
  std::string language;
  bool json = false;
  bool help = false;
  std::filesystem::path destDir;
  std::optional<std::filesystem::path> fromEnvironment;
  cli::CardOptions card;
};

class UsageError : public std::runtime_error {
 public:
  UsageError(std::string key, json params)
      : std::runtime_error(key), key_(std::move(key)), params_(std::move(params)) {}
  const std::string& key() const { return key_; }
  const json& params() const { return params_; }

 private:
  std::string key_;
  json params_;
};

int parseCount(const std::string& option, const std::string& value, int max) {
  int number = -1;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (error != std::errc() || end != value.data() + value.size() || number < 0 || number > max) {
    throw UsageError("cli.error.badValue", {{"option", option}, {"value", value}});
  }
  return number;
}

Arguments parse(const std::vector<std::string>& args) {
  Arguments parsed;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw UsageError("cli.error.missingValue", {{"option", arg}});
      return args[++i];
    };
    if (arg == "--help" || arg == "-h") {
      parsed.help = true;
    } else if (arg == "--lang") {
      parsed.language = value();
    } else if (arg == "--json") {
      parsed.json = true;
    } else if (arg == "--destdir") {
      parsed.destDir = host::platform::pathFromUtf8(value());
    } else if (arg == "--from-environment") {
      parsed.fromEnvironment = host::platform::pathFromUtf8(value());
    } else if (arg == "--reader") {
      parsed.card.reader = value();
    } else if (arg == "--pin-group") {
      parsed.card.pinGroup = parseCount(arg, value(), static_cast<int>(protocol::kMaxPinGroups) - 1);
    } else if (arg == "--pin-fd") {
      const int fd = parseCount(arg, value(), 1 << 20);
      // A descriptor that is not open is a mistake to report now, not an empty PIN later.
      if (fd <= 2 || !cli::terminal::descriptorIsOpen(fd))
        throw UsageError("cli.error.badValue", {{"option", arg}, {"value", args[i]}});
      parsed.card.pinFd = fd;
    } else if (arg == "--yes" || arg == "-y") {
      parsed.card.yes = true;
    } else if (arg.rfind("-", 0) == 0 && arg != "-") {
      throw UsageError("cli.error.unknownOption", {{"option", arg}});
    } else if (parsed.command.empty()) {
      parsed.command = arg;
    } else {
      parsed.positional.push_back(arg);
    }
  }
  return parsed;
}

int runDoctorCommand(const Arguments& args, const cli::Catalogue& catalogue, const std::string& language) {
  cli::DoctorReport report;
  if (args.fromEnvironment) {
    std::ifstream in(*args.fromEnvironment, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    const json saved = json::parse(text.str(), nullptr, false);
    if (!in || saved.is_discarded()) {
      std::cerr << catalogue.text("cli.error.cannotRead", language,
                                  {{"path", host::platform::pathToUtf8(*args.fromEnvironment)}})
                << "\n";
      return 1;
    }
    report = cli::doctorFromSaved(saved);
  } else {
    const host::HostState state = host::loadHostState();
    report = cli::runDoctor(state, cli::LocalCheckOptions{args.destDir});
  }
  if (args.json) {
    std::cout << cli::doctorJson(report, catalogue, language).dump(2) << "\n";
  } else {
    std::cout << cli::reportText(report.rows, catalogue, language, report.checkedAt, cli::reportHost(report));
  }
  return cli::doctorExitCode(report.rows);
}

int run(const std::vector<std::string>& rawArgs) {
  const cli::Catalogue& catalogue = cli::Catalogue::embedded();
  std::string language = catalogue.languageFromEnvironment();
  Arguments args;
  try {
    args = parse(rawArgs);
    if (!args.language.empty()) language = catalogue.pickLanguage(args.language);
  } catch (const UsageError& e) {
    std::cerr << "certbridge: " << catalogue.text(e.key(), language, e.params()) << "\n"
              << catalogue.text("cli.usage", language) << "\n";
    return kUsageError;
  }
  const auto usage = [&](std::ostream& out) { out << catalogue.text("cli.usage", language) << "\n"; };
  if (args.command.empty() && !args.help) {
    usage(std::cerr);
    return kUsageError;
  }
  if (args.help || args.command == "help") {
    usage(std::cout);
    return 0;
  }
  if (args.command == "--version" || args.command == "version") {
    std::cout << "certbridge " << build::kVersion << "\n";
    return 0;
  }
  if (args.command == "doctor" && args.positional.empty()) return runDoctorCommand(args, catalogue, language);
  if (args.command == "card" && args.positional.size() == 1) {
    const std::string& sub = args.positional[0];
    const auto& known = cli::cardSubcommands();
    if (std::find(known.begin(), known.end(), sub) == known.end()) {
      std::cerr << "certbridge: " << catalogue.text("cli.error.unknownCommand", language, {{"command", "card " + sub}})
                << "\n";
      usage(std::cerr);
      return kUsageError;
    }
    const host::HostState state = host::loadHostState();
    return cli::runCardCommand(sub, args.card, state, catalogue, language, std::cout, std::cerr);
  }
  if (args.command == "support-bundle" && args.positional.size() <= 1) {
    const host::HostState state = host::loadHostState();
    std::optional<std::filesystem::path> file;
    if (!args.positional.empty()) file = host::platform::pathFromUtf8(args.positional[0]);
    return cli::runSupportBundle(file, state, cli::LocalCheckOptions{args.destDir}, catalogue, language, std::cout,
                                 std::cerr);
  }
  std::cerr << "certbridge: "
            << catalogue.text("cli.error.unknownCommand", language,
                              {{"command", args.command.empty() ? std::string("-") : args.command}})
            << "\n";
  usage(std::cerr);
  return kUsageError;
}

}  // namespace

int main(int argc, char** argv) {
  // As the host: OpenSSL must wipe what it frees (PINs pass through it), and no core file may hold a PIN.
  if (!host::wipeOpenSslMemoryOnFree()) std::cerr << "certbridge: cannot make OpenSSL wipe freed memory\n";
  host::hardenProcess();
  const cli::terminal::Utf8Console console;
  std::vector<std::string> args = host::platform::commandLineArguments(argc, argv);
  if (!args.empty() && args[0] == "--version") args[0] = "version";
  try {
    const int code = run(args);
    spdlog::shutdown();
    return code;
  } catch (const std::exception& e) {
    std::cerr << "certbridge: " << e.what() << "\n";
    return 1;
  }
}
