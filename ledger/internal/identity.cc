#include "ledger/internal/identity.h"

#include <capnp/message.h>
#include <capnp/schema.h>

#include <cstdint>

#include "ledger/schema/state.capnp.h"
#include "ledger/uuid.h"

namespace dutyledger::internal {
namespace {

ByteView AsView(capnp::Data::Reader d) {
  return ByteView(reinterpret_cast<const char*>(d.begin()), d.size());
}

Result<PublicKey> KeyFromSchema(schema::PublicKey::Reader k, const char* field) {
  auto key = PublicKey::FromSpki(AsView(k.getSpki()));
  if (!key.ok()) return InvalidArgument(std::string(field) + ": " + key.status().message());
  SignatureAlgorithm declared = k.getAlgorithm() == schema::SignatureAlgorithm::SM2
                                    ? SignatureAlgorithm::kSm2
                                    : SignatureAlgorithm::kEd25519;
  if (key->algorithm() != declared) {
    return InvalidArgument(std::string(field) + ": algorithm says " +
                           std::string(SignatureAlgorithmName(declared)) + " but the key is " +
                           std::string(SignatureAlgorithmName(key->algorithm())));
  }
  return key;
}

Status CheckPrincipal(std::string_view p, const char* field) {
  if (p.empty()) return InvalidArgument(std::string(field) + ": required");
  for (unsigned char c : p) {
    if (c < 0x20 || c == 0x7f) {
      return InvalidArgument(std::string(field) + ": control characters are not allowed");
    }
  }
  return Status::Ok();
}

std::string KeyDescription(const KeyInfo& k) {
  return k.key.id().Hex().substr(0, 16) + " (" + k.principal + ")";
}

}  // namespace

Result<LedgerIdentity> IdentityFromGenesis(const EventView& genesis) {
  auto body = genesis.body();
  if (!body.isGenesis()) return Corruption("entry 0 is not a genesis event");
  auto g = body.getGenesis();
  LedgerIdentity id;
  id.origin = body.getOrigin().cStr();
  id.root_principal = g.getRootPrincipal().cStr();
  id.hash_algorithm = g.getHashAlgorithm() == schema::HashAlgorithm::SM3 ? HashAlgorithm::kSm3
                                                                         : HashAlgorithm::kSha256;
  ASSIGN_OR_RETURN(PublicKey root, KeyFromSchema(g.getRootKey(), "genesis.rootKey"));
  ASSIGN_OR_RETURN(PublicKey log, KeyFromSchema(g.getLogKey(), "genesis.logKey"));
  id.root_key = root;
  id.log_key = log;
  return id;
}

Status CheckEnvelope(const EventView& event, const std::string& origin, Time recorded_at,
                     int64_t max_future_skew_nanos) {
  auto b = event.body();
  if (b.getEventId().size() != kUuidSize) {
    return InvalidArgument("field eventId: must be 16 bytes (a UUID), got " +
                           std::to_string(b.getEventId().size()));
  }
  if (std::string_view(b.getOrigin().cStr()) != origin) {
    return PermissionDenied("field origin: '" + std::string(b.getOrigin().cStr()) +
                            "' is not this ledger's origin '" + origin + "'");
  }
  if (b.getSignerKeyId().size() != Digest::kSize) {
    return InvalidArgument("field signerKeyId: must be 32 bytes (SHA-256 of the key's SPKI)");
  }
  if (!b.hasOccurredAt()) return InvalidArgument("field occurredAt: required");
  if (b.getSchemaVersion() == 0 || b.getSchemaVersion() > kSchemaVersion) {
    return InvalidArgument("field schemaVersion: " + std::to_string(b.getSchemaVersion()) +
                           " is not a version this ledger knows (1.." +
                           std::to_string(kSchemaVersion) + ")");
  }
  if (b.isUnset()) return InvalidArgument("no event type given");
  Time occurred = ReadTime(b.getOccurredAt());
  int64_t latest;  // recordedAt + skew, saturated (both come from the bytes being checked)
  if (__builtin_add_overflow(recorded_at.unix_nanos, max_future_skew_nanos, &latest)) {
    latest = max_future_skew_nanos > 0 ? INT64_MAX : INT64_MIN;
  }
  if (occurred.unix_nanos > latest) {
    return InvalidArgument("field occurredAt: " + FormatRfc3339(occurred) +
                           " is in the future (the ledger's clock says " +
                           FormatRfc3339(recorded_at.WithOffset(occurred.utc_offset_minutes)) +
                           ")");
  }
  return Status::Ok();
}

Result<KeyInfo> ResolveSigner(const EventView& event, uint64_t sequence, const KeyTable& keys) {
  auto b = event.body();
  auto id = Digest::FromBytes(AsView(b.getSignerKeyId()));
  if (!id) return InvalidArgument("field signerKeyId: must be 32 bytes");
  if (sequence == 0) {
    if (!b.isGenesis()) return PermissionDenied("entry 0 must be the genesis event");
    ASSIGN_OR_RETURN(PublicKey root, KeyFromSchema(b.getGenesis().getRootKey(), "genesis.rootKey"));
    if (root.id() != *id) {
      return PermissionDenied("genesis must be signed by the root key it names");
    }
    return KeyInfo{root, b.getGenesis().getRootPrincipal().cStr(), 0, kNeverRevoked, true};
  }
  ASSIGN_OR_RETURN(std::optional<KeyInfo> found, keys.Find(*id));
  if (!found) {
    return PermissionDenied("signer key " + id->Hex().substr(0, 16) +
                            " is not bound in this ledger (unknown key)");
  }
  if (sequence < found->valid_from) {
    return PermissionDenied("signer key " + KeyDescription(*found) + " was not yet bound");
  }
  if (sequence >= found->valid_until) {
    return PermissionDenied("signer key " + KeyDescription(*found) + " was revoked at entry " +
                            std::to_string(found->valid_until - 1));
  }
  return *found;
}

Status ApplyIdentityRules(const EventView& event, uint64_t sequence, const KeyInfo& signer,
                          KeyTable& keys,
                          const std::function<Status(std::string_view)>& authorize_delegated) {
  auto b = event.body();
  switch (b.which()) {
    case schema::EventBody::GENESIS: {
      if (sequence != 0) return PermissionDenied("genesis is only allowed as entry 0");
      auto g = b.getGenesis();
      RETURN_IF_ERROR(CheckPrincipal(g.getRootPrincipal().cStr(), "genesis.rootPrincipal"));
      // The checkpoint key: Ed25519 (signed-note type 0x01) or SM2 (type 0xff
      // "dutyledger-sm2/v1"); KeyFromSchema accepts exactly these two.
      auto log = KeyFromSchema(g.getLogKey(), "genesis.logKey");
      if (!log.ok()) return log.status();
      std::string_view origin = b.getOrigin().cStr();
      if (origin.empty()) return InvalidArgument("field origin: required");
      for (unsigned char c : origin) {
        if (c <= 0x20 || c == 0x7f || c == '+') {
          return InvalidArgument(
              "field origin: spaces, control characters and '+' are not "
              "allowed (it is the checkpoint's first line and key name)");
        }
      }
      keys.Save(signer);
      return Status::Ok();
    }
    case schema::EventBody::KEY_BOUND: {
      auto kb = b.getKeyBound();
      ASSIGN_OR_RETURN(PublicKey key, KeyFromSchema(kb.getKey(), "keyBound.key"));
      std::string principal = kb.getPrincipal().cStr();
      RETURN_IF_ERROR(CheckPrincipal(principal, "keyBound.principal"));
      ASSIGN_OR_RETURN(std::optional<KeyInfo> existing, keys.Find(key.id()));
      if (existing) {
        return FailedPrecondition(
            "keyBound: key " + key.id().Hex().substr(0, 16) + " is already bound to '" +
            existing->principal + "' at entry " +
            std::to_string(existing->valid_from == 0 ? 0 : existing->valid_from - 1));
      }
      if (!signer.is_root) RETURN_IF_ERROR(authorize_delegated(principal));
      // A root key may make another root key (rotation): bind a key to the root principal.
      bool becomes_root = false;
      if (signer.is_root) {
        ASSIGN_OR_RETURN(std::optional<KeyInfo> self, keys.Find(signer.key.id()));
        becomes_root = self && self->principal == principal;
      }
      keys.Save(KeyInfo{key, principal, sequence + 1, kNeverRevoked, becomes_root});
      return Status::Ok();
    }
    case schema::EventBody::KEY_REVOKED: {
      auto kr = b.getKeyRevoked();
      auto id = Digest::FromBytes(AsView(kr.getKeyId()));
      if (!id) return InvalidArgument("keyRevoked.keyId: must be 32 bytes");
      ASSIGN_OR_RETURN(std::optional<KeyInfo> target, keys.Find(*id));
      if (!target) {
        return NotFound("keyRevoked: key " + id->Hex().substr(0, 16) + " is not bound");
      }
      if (target->valid_until != kNeverRevoked) {
        return FailedPrecondition("keyRevoked: key " + KeyDescription(*target) +
                                  " was already revoked at entry " +
                                  std::to_string(target->valid_until - 1));
      }
      bool self = signer.key.id() == *id;
      if (target->is_root) {
        if (!signer.is_root || self) {
          return PermissionDenied(
              "keyRevoked: a root key can only be revoked by another root "
              "key (bind its successor to the root principal first)");
        }
      } else if (!signer.is_root && !self) {
        RETURN_IF_ERROR(authorize_delegated(target->principal));
      }
      target->valid_until = sequence + 1;
      keys.Save(*target);
      return Status::Ok();
    }
    default:
      return Status::Ok();
  }
}

Bytes EncodeKeyRecord(const KeyInfo& info) {
  capnp::MallocMessageBuilder m;
  auto r = m.initRoot<schema::KeyRecord>();
  auto k = r.initKey();
  k.setAlgorithm(info.key.algorithm() == SignatureAlgorithm::kSm2
                     ? schema::SignatureAlgorithm::SM2
                     : schema::SignatureAlgorithm::ED25519);
  k.setSpki(capnp::Data::Reader(reinterpret_cast<const capnp::byte*>(info.key.spki().data()),
                                info.key.spki().size()));
  r.setPrincipal(info.principal);
  r.setValidFrom(info.valid_from);
  r.setValidUntil(info.valid_until);
  r.setIsRoot(info.is_root);
  return CanonicalBytes(m);
}

Result<KeyInfo> DecodeKeyRecord(ByteView bytes) {
  // Key records are stored state, not signed input; they still go through full validation.
  if (bytes.size() % 8 != 0 || bytes.empty()) return Corruption("key record is malformed");
  RETURN_IF_ERROR(ValidateCanonical(bytes, capnp::Schema::from<schema::KeyRecord>()));
  kj::Array<capnp::word> words = kj::heapArray<capnp::word>(bytes.size() / 8);
  std::memcpy(words.begin(), bytes.data(), bytes.size());
  kj::ArrayPtr<const capnp::word> segs[1] = {words.asPtr()};
  capnp::SegmentArrayMessageReader reader(kj::arrayPtr(segs, 1));
  auto r = reader.getRoot<schema::KeyRecord>();
  auto key = KeyFromSchema(r.getKey(), "key record");
  if (!key.ok()) return Corruption(key.status().message());
  return KeyInfo{*key, r.getPrincipal().cStr(), r.getValidFrom(), r.getValidUntil(), r.getIsRoot()};
}

}  // namespace dutyledger::internal
