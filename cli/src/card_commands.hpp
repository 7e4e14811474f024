#pragma once
// `certbridge card ...`: the card operations of the old desktop card tool, through the host's command layer.
// What the extension's window shows before a card change (the card, the operation, the PIN's rules, state
// and tries left) is printed before anything is asked or changed, from the same `environment` facts.

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "catalogue.hpp"
#include "certbridge/host/dispatcher.hpp"
#include "secret_input.hpp"

namespace certbridge::cli {

struct CardOptions {
  std::optional<std::string> reader;
  int pinGroup = 0;
  bool yes = false;  ///< Consent given on the command line (scripts); the information is printed anyway.
  std::optional<int> pinFd;
};

/// Runs `certbridge card SUBCOMMAND`; returns the exit code (0 done, 1 failed or refused, 2 bad usage).
int runCardCommand(const std::string& subcommand, const CardOptions& options, const host::HostState& host,
                   const Catalogue& catalogue, const std::string& language, std::ostream& out, std::ostream& err);

/// The card subcommands, for the usage check.
const std::vector<std::string>& cardSubcommands();

}  // namespace certbridge::cli
