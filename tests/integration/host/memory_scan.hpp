#pragma once
// Looking for a secret in a running host's memory, as a core dump or another process would see it.

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

namespace certbridge::host::integration {

struct MemoryScan {
  std::size_t hits = 0;
  std::size_t bytesRead = 0;
  std::vector<std::string> where;  ///< The /proc/<pid>/maps line of each hit.
};

/// Every occurrence of needle in the readable mappings of process pid (/proc/<pid>/mem: everything a core
/// would hold; [vvar] and the like, which cannot be read, are skipped). Needs root for a non-dumpable process.
MemoryScan scanMemory(pid_t pid, const std::string& needle);

/// The "Max core file size" line of /proc/<pid>/limits: soft and hard limit.
std::string coreLimits(pid_t pid);

}  // namespace certbridge::host::integration
