#include <windows.h>

#include <array>
#include <string>

#include "program_version.hpp"

namespace certbridge::cli {
namespace {

constexpr DWORD kWaitMilliseconds = 10000;

// Closes a handle when it goes out of scope.
class Handle {
 public:
  explicit Handle(HANDLE handle = nullptr) : handle_(handle) {}
  ~Handle() {
    if (handle_ != nullptr && handle_ != INVALID_HANDLE_VALUE) ::CloseHandle(handle_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  HANDLE get() const { return handle_; }
  HANDLE* out() { return &handle_; }
  void close() {
    if (handle_ != nullptr) ::CloseHandle(handle_);
    handle_ = nullptr;
  }

 private:
  HANDLE handle_;
};

}  // namespace

std::optional<std::string> programVersion(const std::filesystem::path& program) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(program, error) || program.native().find(L'"') != std::wstring::npos) {
    return std::nullopt;
  }
  SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  Handle readEnd;
  Handle writeEnd;
  if (::CreatePipe(readEnd.out(), writeEnd.out(), &inherit, 0) == 0) return std::nullopt;
  ::SetHandleInformation(readEnd.get(), HANDLE_FLAG_INHERIT, 0);  // only the child's end is inherited

  STARTUPINFOW startup{};
  startup.cb = sizeof(startup);
  startup.dwFlags = STARTF_USESTDHANDLES;
  startup.hStdInput = nullptr;
  startup.hStdOutput = writeEnd.get();
  startup.hStdError = writeEnd.get();
  std::wstring commandLine = L"\"" + program.native() + L"\" --version";
  PROCESS_INFORMATION process{};
  if (::CreateProcessW(program.c_str(), commandLine.data(), nullptr, nullptr, TRUE, CREATE_NO_WINDOW, nullptr, nullptr,
                       &startup, &process) == 0) {
    return std::nullopt;
  }
  Handle processHandle(process.hProcess);
  Handle threadHandle(process.hThread);
  writeEnd.close();  // the pipe ends when the child's copy closes

  // A version is a line or two, well inside the pipe's buffer: wait for the end first (so a program that
  // hangs is stopped), then read what it wrote.
  if (::WaitForSingleObject(processHandle.get(), kWaitMilliseconds) != WAIT_OBJECT_0) {
    ::TerminateProcess(processHandle.get(), 1);
    ::WaitForSingleObject(processHandle.get(), kWaitMilliseconds);
  }
  std::string output;
  std::array<char, 256> buffer{};
  DWORD got = 0;
  while (output.size() < 64 * 1024 &&
         ::ReadFile(readEnd.get(), buffer.data(), static_cast<DWORD>(buffer.size()), &got, nullptr) != 0 && got > 0) {
    output.append(buffer.data(), got);
  }
  std::erase(output, '\r');
  if (output.empty()) return std::nullopt;
  return output;
}

}  // namespace certbridge::cli
