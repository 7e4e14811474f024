#pragma once
// Leaving no copy of a PIN or password in memory the process no longer uses. Secrets the host keeps are
// card::SecretString (wiped on release); these cover the copies that libraries make on the way: the JSON
// parser's buffers, OpenSSL's and libp11's, and the stack frames that held them.

#include <cstddef>

namespace certbridge::host {

/// Makes OpenSSL (and so libp11, which allocates through it) wipe every block it frees or moves. Call at the
/// start of main, before anything uses OpenSSL: OpenSSL refuses once it has allocated. False when refused.
bool wipeOpenSslMemoryOnFree() noexcept;

/// The usable size of a block from malloc (what a wipe before free must cover).
std::size_t heapBlockSize(void* block) noexcept;

/// Overwrites the stack below the caller's frame (64 KiB): what a finished call (the JSON parse of a request,
/// a login) left there. Call on the thread that ran it, after it returned.
void wipeStackBelowCaller() noexcept;

}  // namespace certbridge::host
