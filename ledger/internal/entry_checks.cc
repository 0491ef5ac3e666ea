#include "ledger/internal/entry_checks.h"

#include <climits>

#include "ledger/schema/event.capnp.h"

namespace dutyledger::internal {
namespace {

ByteView AsView(capnp::Data::Reader d) {
  return ByteView(reinterpret_cast<const char*>(d.begin()), d.size());
}

std::string ShortId(const Digest& id) { return id.Hex().substr(0, 16); }

}  // namespace

Result<CheckedEntry> CheckEntry(const EntryView& entry, const std::string& origin,
                                const Hasher& hasher, const KeyHints& hints) {
  auto body = EventView::DecodeBody(entry);
  if (!body.ok()) return Corruption(body.status().message());
  // occurredAt may be any time before recordedAt; the future-skew rule was the writer's to apply
  // with its clock.
  const int64_t no_future_check = INT64_MAX / 4;
  Status env =
      CheckEnvelope(*body, origin, ReadTime(entry.entry().getRecordedAt()), no_future_check);
  if (!env.ok()) return IntegrityViolation(env.message());
  auto prev = Digest::FromBytes(AsView(entry.entry().getPrevLeafHash()));
  if (!prev) return IntegrityViolation("prevLeafHash is not 32 bytes");
  CheckedEntry r;
  r.leaf = hasher.LeafHash(entry.bytes());
  r.prev = *prev;
  r.signer = *Digest::FromBytes(AsView(body->body().getSignerKeyId()));
  r.recorded_at = ReadTime(entry.entry().getRecordedAt());
  auto hint = hints.find(r.signer);
  if (hint != hints.end()) {
    if (!hint->second.Verify(EventSigningMessage(entry.body_bytes()), entry.signature())) {
      return IntegrityViolation("signature does not verify under key " + ShortId(r.signer) +
                                " named in signerKeyId");
    }
    r.signature_checked = true;
  } else {
    r.body = Bytes(entry.body_bytes());
    r.signature = Bytes(entry.signature());
  }
  r.event_id = Bytes(AsView(body->body().getEventId()));
  auto which = body->body().which();
  if (which == schema::EventBody::GENESIS || which == schema::EventBody::KEY_BOUND ||
      which == schema::EventBody::KEY_REVOKED) {
    r.key_event.emplace(std::move(*body));
  }
  return r;
}

Result<std::optional<KeyInfo>> RebuiltKeys::Find(const Digest& id) const {
  auto it = keys_.find(id);
  if (it == keys_.end()) return std::optional<KeyInfo>();
  return std::optional<KeyInfo>(it->second);
}

Status ReplayEntry(uint64_t s, const CheckedEntry& r, const std::optional<Digest>& prev_leaf,
                   const std::optional<Time>& prev_recorded_at, RebuiltKeys& keys,
                   std::string_view unbound_where, std::optional<KeyInfo>* signer_out) {
  if (s == 0 && !r.prev.IsZero()) {
    return IntegrityViolation("prevLeafHash of entry 0 is not all zeros");
  }
  if (s > 0 && prev_leaf && r.prev != *prev_leaf) {
    return IntegrityViolation("chain broken: prevLeafHash is not the leaf hash of entry " +
                              std::to_string(s - 1));
  }
  if (prev_recorded_at && r.recorded_at < *prev_recorded_at) {
    return IntegrityViolation("recordedAt " + FormatRfc3339(r.recorded_at) +
                              " is earlier than the previous entry's");
  }
  // The signer's key as the log itself bound it.
  std::optional<KeyInfo> signer;
  if (s == 0) {
    if (!r.key_event) return IntegrityViolation("is not the genesis event");
    auto resolved = ResolveSigner(*r.key_event, 0, keys);
    if (!resolved.ok()) return IntegrityViolation(resolved.status().message());
    signer = *resolved;
  } else {
    auto found = keys.Find(r.signer);
    if (!found.ok() || !*found) {
      return IntegrityViolation("signer key " + ShortId(r.signer) + " was never bound " +
                                std::string(unbound_where));
    }
    signer = **found;
    if (!signer->ValidAt(s)) {
      return IntegrityViolation("signer key " + ShortId(r.signer) + " (" + signer->principal +
                                ") was not valid at this entry (valid from " +
                                std::to_string(signer->valid_from) + " until " +
                                (signer->valid_until == kNeverRevoked
                                     ? std::string("never revoked")
                                     : std::to_string(signer->valid_until)) +
                                ")");
    }
  }
  if (!r.signature_checked && !signer->key.Verify(EventSigningMessage(r.body), r.signature)) {
    return IntegrityViolation("signature does not verify under key " + ShortId(r.signer) +
                              " named in signerKeyId");
  }
  if (r.key_event) {
    Status applied = ApplyIdentityRules(
        *r.key_event, s, *signer, keys,
        // Key events by non-root keys were authorized by the domain at append time.
        [](std::string_view) { return Status::Ok(); });
    if (!applied.ok()) return IntegrityViolation(applied.message());
  } else if (s == 0) {
    return IntegrityViolation("is not the genesis event");
  }
  if (signer_out != nullptr) *signer_out = std::move(signer);
  return Status::Ok();
}

}  // namespace dutyledger::internal
