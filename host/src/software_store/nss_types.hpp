#pragma once
// Owning pointers for the NSS objects the software store hands around. Every NSS object is owned by one of
// these from the moment it is made: NSS_ShutdownContext refuses to close the database while any object is
// still referenced, so a leak would keep the user's key database open.

#include <cert.h>
#include <keyhi.h>
#include <pk11pub.h>
#include <secitem.h>

#include <memory>

namespace certbridge::host::software_store {

template <auto FreeFunction>
struct NssDeleter {
  template <typename T>
  void operator()(T* object) const noexcept {
    if (object != nullptr) FreeFunction(object);
  }
};

using SlotPtr = std::unique_ptr<PK11SlotInfo, NssDeleter<&PK11_FreeSlot>>;
using NssCertificatePtr = std::unique_ptr<CERTCertificate, NssDeleter<&CERT_DestroyCertificate>>;
using CertificateListPtr = std::unique_ptr<CERTCertList, NssDeleter<&CERT_DestroyCertList>>;
using PrivateKeyPtr = std::unique_ptr<SECKEYPrivateKey, NssDeleter<&SECKEY_DestroyPrivateKey>>;
using PublicKeyPtr = std::unique_ptr<SECKEYPublicKey, NssDeleter<&SECKEY_DestroyPublicKey>>;

/// Frees a SECItem NSS allocated; ZFree for items that may hold key material.
struct SecItemDeleter {
  void operator()(SECItem* item) const noexcept { SECITEM_ZfreeItem(item, PR_TRUE); }
};
using SecItemPtr = std::unique_ptr<SECItem, SecItemDeleter>;

/// A SECItem that views bytes it does not own (NSS takes non-const pointers for input it only reads).
inline SECItem viewItem(const unsigned char* data, std::size_t size) {
  return SECItem{siBuffer, const_cast<unsigned char*>(data), static_cast<unsigned int>(size)};
}

}  // namespace certbridge::host::software_store
