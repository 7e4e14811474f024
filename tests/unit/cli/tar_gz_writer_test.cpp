// The support bundle's archive writer: what `tar` reads back, mode 0600, never over an existing file.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tar_gz_writer.hpp"

namespace certbridge::cli {
namespace {

namespace fs = std::filesystem;

class TarGzWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("certbridge-tar-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

std::string run(const std::string& commandLine) {
  std::string output;
  FILE* pipe = ::popen(commandLine.c_str(), "r");
  char buffer[256];
  while (pipe != nullptr && std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  if (pipe != nullptr) ::pclose(pipe);
  return output;
}

TEST_F(TarGzWriterTest, TarReadsWhatItWrites) {
  const fs::path archive = dir_ / "bundle.tar.gz";
  const std::string big(70000, 'x');
  {
    TarGzWriter writer(archive);
    writer.add("doctor.txt", "hello\n", 1700000000);
    writer.add("log/certbridge-host.log", big, 1700000000);
    writer.add("empty", "", 1700000000);
    writer.finish();
  }
  struct stat info {};
  ASSERT_EQ(::stat(archive.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600U);
  EXPECT_EQ(run("tar -tzf '" + archive.string() + "'"), "doctor.txt\nlog/certbridge-host.log\nempty\n");
  EXPECT_EQ(run("tar -xzOf '" + archive.string() + "' doctor.txt"), "hello\n");
  EXPECT_EQ(run("tar -xzOf '" + archive.string() + "' log/certbridge-host.log").size(), big.size());
}

TEST_F(TarGzWriterTest, NeverReplacesAFile) {
  const fs::path archive = dir_ / "exists.tar.gz";
  std::ofstream(archive) << "keep";
  EXPECT_THROW(TarGzWriter writer(archive), std::system_error);
  std::ifstream in(archive);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "keep");
}

TEST_F(TarGzWriterTest, AnArchiveNotFinishedIsRemoved) {
  const fs::path archive = dir_ / "dropped.tar.gz";
  {
    TarGzWriter writer(archive);
    writer.add("doctor.txt", "half a bundle", 0);
    EXPECT_TRUE(fs::exists(archive));
  }
  EXPECT_FALSE(fs::exists(archive)) << "a truncated bundle was left behind";
  TarGzWriter again(archive);  // the same name is free for the next attempt
  again.finish();
  EXPECT_TRUE(fs::exists(archive));
}

TEST_F(TarGzWriterTest, RefusesNamesOutsideTheArchive) {
  TarGzWriter writer(dir_ / "names.tar.gz");
  EXPECT_THROW(writer.add("../etc/passwd", "x", 0), std::invalid_argument);
  EXPECT_THROW(writer.add("/abs", "x", 0), std::invalid_argument);
  EXPECT_THROW(writer.add(std::string(100, 'a'), "x", 0), std::invalid_argument);
}

}  // namespace
}  // namespace certbridge::cli
