#include "card_access.hpp"

namespace certbridge::host {

card::CardLocator& CardAccess::locator() {
  if (!locator_) {
    locator_ = std::make_unique<card::CardLocator>(card::CardProfileTable(config_.cardProfiles));
    locator_->watchReaders();
  }
  return *locator_;
}

}  // namespace certbridge::host
