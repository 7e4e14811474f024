#include <spdlog/spdlog.h>

#include "certbridge/host/dispatcher.hpp"
#include "certbridge/host/host_policy.hpp"
#include "certbridge/host/logging.hpp"

namespace certbridge::host {

HostState loadHostState() {
  HostState state;
  state.logFile = initLogging();
  ConfigLoad load = loadConfigAndPolicy();
  // Before the level applies: a policy that turned logging off must not hide what was wrong with it.
  for (const auto& problem : load.config.policy.problems) {
    spdlog::warn("policy: {} {} {}", problem.source, problem.entry, problem.reason);
  }
  setLogLevel(load.config.logLevel);
  state.config = std::move(load.config);
  return state;
}

}  // namespace certbridge::host
