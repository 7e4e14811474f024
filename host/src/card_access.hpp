#pragma once
// The card library as the worker thread uses it: one CardLocator for the life of the process, created on
// first use, so that start-up never touches PC/SC or loads a PKCS#11 module.

#include <memory>

#include "certbridge/card/card_locator.hpp"
#include "certbridge/host/config.hpp"

namespace certbridge::host {

/// Lazily created card library objects. Not thread-safe: the worker thread alone uses it.
class CardAccess {
 public:
  explicit CardAccess(const HostConfig& config) : config_(config) {}

  /// The locator over the configured card profiles; loaded modules stay loaded for its lifetime.
  card::CardLocator& locator();

 private:
  const HostConfig& config_;
  std::unique_ptr<card::CardLocator> locator_;
};

}  // namespace certbridge::host
