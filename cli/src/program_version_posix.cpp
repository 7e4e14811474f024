#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdio>

#include "program_version.hpp"

namespace certbridge::cli {
namespace {

bool safeToRun(const std::filesystem::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return false;
  const bool owner = info.st_uid == 0 || info.st_uid == ::geteuid();
  return owner && (info.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

}  // namespace

std::optional<std::string> programVersion(const std::filesystem::path& program) {
  const std::string path = program.string();
  if (!safeToRun(program) || path.find('\'') != std::string::npos) return std::nullopt;
  FILE* pipe = ::popen(("'" + path + "' --version 2>&1").c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string output;
  std::array<char, 256> buffer{};
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) output += buffer.data();
  ::pclose(pipe);
  if (output.empty()) return std::nullopt;
  return output;
}

}  // namespace certbridge::cli
