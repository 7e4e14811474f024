// registerCertificates / unregisterCertificates: the card's certificates made usable by the OS and the
// browsers through the platform's certificate stores (os_store/certificate_registry.hpp), the private keys
// staying on the card; and that undone. No PIN: only public objects are read, and nothing on the card changes.

#include <spdlog/spdlog.h>

#include "card_certificates.hpp"
#include "card_key_provider.hpp"
#include "card_operation.hpp"
#include "card_params.hpp"
#include "certbridge/host/protocol_error.hpp"
#include "commands.hpp"
#include "os_store/certificate_registry.hpp"

namespace certbridge::host::commands {
namespace {

std::unique_ptr<os_store::CertificateRegistry> registryOrThrow() {
  auto registry = os_store::platformCertificateRegistry();
  if (!registry) throw ProtocolError(ErrorCode::OsStoreNotSupported);
  return registry;
}

/// The card as the registry sees it: its profile's key provider and its certificates. Reads the card, then
/// lets it go (lock, sessions) before any store is touched: the stores' tools load the module themselves.
struct CardFacts {
  os_store::CardRegistration registration;
  std::string reader;
  nlohmann::json token;
};

CardFacts readCard(CommandContext& context, const std::optional<std::string>& reader) {
  CardOperation operation(context, reader);
  CardFacts facts;
  const card::CardProfile& profile = operation.profile();
  facts.registration.provider = keyProviderFor(profile);
  facts.reader = operation.readerName();
  facts.token = operation.tokenJson(0);
  for (const auto& certificate : readCardCertificates(operation, card::SessionMode::ReadOnly)) {
    const card::TokenInfo& token = operation.token(certificate.pinGroup);
    facts.registration.certificates.push_back(
        {certificate.parsed.id, certificate.parsed.subject, certificate.object.der,
         certificate.object.keyOnToken ? certificate.object.keyId : std::vector<std::uint8_t>{}, token.label,
         token.serial, certificate.parsed.isCa});
  }
  operation.checkpoint();
  return facts;
}

nlohmann::json storesJson(const os_store::RegistryReport& report) {
  nlohmann::json stores = nlohmann::json::array();
  for (const auto& store : report.stores) {
    stores.push_back(
        {{"kind", store.kind},
         {"name", store.name},
         {"location", store.location},
         {"outcome", os_store::toString(store.outcome)},
         {"registeredAs", store.registeredAs.empty() ? nlohmann::json(nullptr) : nlohmann::json(store.registeredAs)},
         {"created", store.created}});
  }
  return stores;
}

nlohmann::json resultJson(const CardFacts& facts, const os_store::RegistryReport& report) {
  nlohmann::json certificates = nlohmann::json::array();
  for (const auto& certificate : facts.registration.certificates) {
    certificates.push_back({{"id", certificate.id},
                            {"subject", certificate.subject},
                            {"isCa", certificate.isCa},
                            {"hasKey", !certificate.keyId.empty()}});
  }
  return {{"reader", facts.reader},
          {"token", facts.token},
          {"provider",
           {{"profile", facts.registration.provider.profileId},
            {"name", facts.registration.provider.displayName},
            {"module", facts.registration.provider.modulePath}}},
          {"certificates", std::move(certificates)},
          {"stores", storesJson(report)}};
}

ProtocolError storeError(const os_store::StoreError& error) {
  return ProtocolError(ErrorCode::StoreError,
                       {{"store", error.store()}, {"location", error.location()}, {"reason", error.what()}});
}

template <typename Change>
CommandRun storeCommand(nlohmann::json& params, const char* stage, bool needsCertificates, Change change) {
  const ParamValidator validator(params, {"reader"});
  auto reader = readerParam(validator);
  return [reader = std::move(reader), stage, needsCertificates, change](CommandContext& context) -> nlohmann::json {
    auto registry = registryOrThrow();
    const CardFacts facts = readCard(context, reader);
    bool holderCertificate = false;
    for (const auto& certificate : facts.registration.certificates) holderCertificate |= !certificate.isCa;
    if (needsCertificates && !holderCertificate) {
      throw ProtocolError(ErrorCode::NoCertificatesOnCard, {{"reader", facts.reader}});
    }
    if (context.cancel.cancelled()) throw ProtocolError(ErrorCode::UserCancelled);
    context.responder.sendProgress(context.request.id, stage, nlohmann::json::object());
    try {
      // From here on the call runs to its end (all or nothing): a cancel would only leave the question of
      // what the stores now hold to the page.
      return resultJson(facts, change(*registry, facts.registration));
    } catch (const os_store::StoreError& e) {
      spdlog::warn("request id={}: store error in {} ({}): {}", context.request.id, e.store(), e.location(), e.what());
      throw storeError(e);
    }
  };
}

}  // namespace

CommandRun prepareRegisterCertificates(nlohmann::json& params) {
  return storeCommand(params, "registering", true,
                      [](os_store::CertificateRegistry& registry, const os_store::CardRegistration& registration) {
                        return registry.registerCertificates(registration);
                      });
}

CommandRun prepareUnregisterCertificates(nlohmann::json& params) {
  return storeCommand(params, "unregistering", false,
                      [](os_store::CertificateRegistry& registry, const os_store::CardRegistration& registration) {
                        return registry.unregisterCertificates(registration);
                      });
}

}  // namespace certbridge::host::commands
