// hardenProcess on Windows, run under wine by `windows.unit`: no Windows Error Reporting for an unhandled
// exception (the process error mode) and the executable on the user's WER exclusion list, read back through
// WER's own API (the registry key behind it is WER's business: wine and Windows use different ones).
// WerSetFlags' heap flag has no check here: wine's WerSetFlags keeps nothing; process_hardening.cpp says what
// only a Windows machine can show.

#include <windows.h>

#include <array>
#include <string>

#include <gtest/gtest.h>

#include "process_hardening.hpp"

namespace certbridge::host {
namespace {

using ExclusionFunction = HRESULT(WINAPI*)(PCWSTR, BOOL);

std::wstring thisExecutableName() {
  std::array<wchar_t, MAX_PATH * 4> path{};
  const DWORD length = GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size()));
  const std::wstring full(path.data(), length);
  return full.substr(full.find_last_of(L"\\/") + 1);
}

// wer.dll's exclusion list for the current user. WerRemoveExcludedApplication fails for a name that is not on
// the list, which makes it the read-back: the exclusion hardenProcess adds is taken out again by the test, and
// one the user had before is put back.
class UserErrorReportingExclusions : public ::testing::Test {
 protected:
  void SetUp() override {
    wer_ = LoadLibraryExW(L"wer.dll", nullptr, LOAD_LIBRARY_SEARCH_SYSTEM32);
    ASSERT_NE(wer_, nullptr) << "no wer.dll";
    add_ =
        reinterpret_cast<ExclusionFunction>(reinterpret_cast<void*>(GetProcAddress(wer_, "WerAddExcludedApplication")));
    remove_ = reinterpret_cast<ExclusionFunction>(
        reinterpret_cast<void*>(GetProcAddress(wer_, "WerRemoveExcludedApplication")));
    ASSERT_NE(add_, nullptr);
    ASSERT_NE(remove_, nullptr);
    hadExclusion_ = takeOut();
  }
  void TearDown() override {
    if (wer_ == nullptr) return;
    if (hadExclusion_) add_(name_.c_str(), FALSE);
    FreeLibrary(wer_);
  }
  /// True when the name was on the list (and is now off it).
  bool takeOut() const { return SUCCEEDED(remove_(name_.c_str(), FALSE)); }

  const std::wstring name_ = thisExecutableName();
  HMODULE wer_ = nullptr;
  ExclusionFunction add_ = nullptr;
  ExclusionFunction remove_ = nullptr;
  bool hadExclusion_ = false;
};

TEST(WindowsProcessHardening, NoErrorReportingForAnUnhandledExceptionAndNoDialog) {
  hardenProcess();
  const UINT mode = GetErrorMode();
  EXPECT_NE(mode & SEM_NOGPFAULTERRORBOX, 0U) << "Windows Error Reporting would still be invoked";
  EXPECT_NE(mode & SEM_FAILCRITICALERRORS, 0U) << "a critical-error box could still hold the process";
}

TEST_F(UserErrorReportingExclusions, HardeningPutsTheExecutableOnTheUsersList) {
  ASSERT_FALSE(name_.empty());
  ASSERT_FALSE(takeOut()) << "the read-back cannot tell an excluded name from another";
  hardenProcess();
  EXPECT_TRUE(takeOut()) << "the executable is not excluded from Windows Error Reporting for this user";
}

}  // namespace
}  // namespace certbridge::host
