// The command table against protocol.json.

#include <gtest/gtest.h>

#include "certbridge/host/dispatcher.hpp"
#include "certbridge/protocol.hpp"

namespace certbridge::host {
namespace {

TEST(CommandTable, ImplementsEveryCommandOfTheProtocol) {
  for (const auto& command : protocol::kCommands) {
    EXPECT_NE(findCommandEntry(command.name), nullptr) << command.name << " is in protocol.json but has no handler";
  }
  EXPECT_EQ(commandTable().size(), protocol::kCommands.size());
}

TEST(CommandTable, QuickCommandsRunOnTheReadingThread) {
  EXPECT_EQ(findCommandEntry("status")->placement, Placement::ReaderThread);
  EXPECT_EQ(findCommandEntry("cancel")->placement, Placement::ReaderThread);
  EXPECT_EQ(findCommandEntry("environment")->placement, Placement::Worker);
  EXPECT_EQ(findCommandEntry("listReaders")->placement, Placement::Worker);
  EXPECT_EQ(findCommandEntry("nope"), nullptr);
}

TEST(CommandTable, OnlyStatusIsOpenToAnyOrigin) {
  for (const auto& command : protocol::kCommands) {
    EXPECT_EQ(command.anyOrigin, command.name == "status") << command.name;
  }
}

}  // namespace
}  // namespace certbridge::host
