#include "card_access.hpp"

namespace certbridge::host {

card::CardLocator& CardAccess::locator() {
  if (!locator_) locator_ = std::make_unique<card::CardLocator>(card::CardProfileTable(config_.cardProfiles));
  return *locator_;
}

void CardAccess::watchReaders() {
  if (locator_) locator_->watchReaders();
}

}  // namespace certbridge::host
