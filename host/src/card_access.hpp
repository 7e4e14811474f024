#pragma once
// The card library as the worker thread uses it: one CardLocator for the life of the process, created on
// first use, so that start-up never touches PC/SC or loads a PKCS#11 module.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "certbridge/card/card_locator.hpp"
#include "certbridge/host/config.hpp"
#include "crypto/unblock_authorization.hpp"

namespace certbridge::host {

/// An unblockRequest waiting for the RA's authorization: the one-time key and what it was made for. Held in
/// memory only, in the one host process that answered the request.
struct PendingUnblock {
  crypto::UnblockKey key;
  std::string requestId;
  std::string origin;
  std::string reader;
  std::string tokenSerial;
  /// The card the request identified: its token facts, and where its serial identifies nothing (blank or all
  /// zeros) the ids of its public objects too.
  card::TokenInfo token;
  std::vector<std::vector<std::uint8_t>> publicObjectIds;
  std::size_t pinGroup = 0;
  std::chrono::steady_clock::time_point expires;
};

/// Lazily created card library objects. Not thread-safe: the worker thread alone uses it.
class CardAccess {
 public:
  explicit CardAccess(const HostConfig& config) : config_(config) {}

  /// The locator over the configured card profiles; loaded modules stay loaded for its lifetime. Created by
  /// the first card request, which also starts its reader watch: the request's checks of the card then read
  /// the watch as soon as it has caught up (see CardLocator::stillInserted).
  card::CardLocator& locator();

  /// The unblockRequest in progress, if any; a new request replaces it, unblockPin uses it up.
  std::optional<PendingUnblock> pendingUnblock;

 private:
  const HostConfig& config_;
  std::unique_ptr<card::CardLocator> locator_;
};

}  // namespace certbridge::host
