#pragma once
// A tiny assertion harness for the Windows programs that run under wine (Debian has no mingw build of
// GoogleTest). Every check prints "ok: ..." or "FAILED: ... (file:line)"; the program ends with
// "N passed, M failed" and exits non-zero when anything failed.

#include <cstdio>
#include <exception>
#include <functional>
#include <source_location>
#include <string>

namespace certbridge::test {

class Harness {
 public:
  /// Records one check; returns ok so a caller can skip checks that depend on it.
  bool check(bool ok, const std::string& what, std::source_location where = std::source_location::current()) {
    if (ok) {
      ++passed_;
      std::printf("ok: %s\n", what.c_str());
    } else {
      ++failed_;
      std::printf("FAILED: %s (%s:%u)\n", what.c_str(), where.file_name(), static_cast<unsigned>(where.line()));
    }
    std::fflush(stdout);
    return ok;
  }

  /// Checks that action throws an Error for which accept(error) holds; anything else fails the check.
  template <typename Error>
  bool checkThrows(const std::function<void()>& action, const std::function<bool(const Error&)>& accept,
                   const std::string& what, std::source_location where = std::source_location::current()) {
    try {
      action();
    } catch (const Error& error) {
      return check(accept(error), what + " (threw: " + error.what() + ")", where);
    } catch (const std::exception& error) {
      return check(false, what + " (threw another error: " + error.what() + ")", where);
    }
    return check(false, what + " (did not throw)", where);
  }

  /// Prints the summary; the process exit code.
  int finish() const {
    std::printf("%d passed, %d failed\n", passed_, failed_);
    return failed_ == 0 ? 0 : 1;
  }

 private:
  int passed_ = 0;
  int failed_ = 0;
};

}  // namespace certbridge::test
