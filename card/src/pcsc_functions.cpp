// The PC/SC table in use, and the tests' replacement of it.

#include "pcsc_functions.hpp"

#include <atomic>

namespace certbridge::card::detail {

namespace {

// Read by the reader watch's thread as well: an atomic pointer, never a torn table.
std::atomic<const PcscFunctions*> installed{nullptr};

}  // namespace

const PcscFunctions& pcscFunctions() noexcept {
  const PcscFunctions* functions = installed.load(std::memory_order_acquire);
  return functions ? *functions : systemPcscFunctions();
}

ScopedPcscFunctions::ScopedPcscFunctions(const PcscFunctions& functions) noexcept {
  installed.store(&functions, std::memory_order_release);
}

ScopedPcscFunctions::~ScopedPcscFunctions() {
  installed.store(nullptr, std::memory_order_release);
}

}  // namespace certbridge::card::detail
