// hardenProcess on Linux: the process can no longer be dumped, and its core size limit is 0. Checked in a
// child process, since the change cannot be undone.

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "process_hardening.hpp"

namespace certbridge::host {
namespace {

TEST(ProcessHardening, TheProcessIsNotDumpableAndMakesNoCore) {
  ASSERT_EQ(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1) << "dumpable before";
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    hardenProcess();
    rlimit core{};
    const bool noCore = getrlimit(RLIMIT_CORE, &core) == 0 && core.rlim_cur == 0 && core.rlim_max == 0;
    const bool notDumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0;
    _exit((noCore ? 0 : 1) | (notDumpable ? 0 : 2));
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status) & 1, 0) << "the core size limit is not 0";
  EXPECT_EQ(WEXITSTATUS(status) & 2, 0) << "the process is still dumpable";
}

}  // namespace
}  // namespace certbridge::host
