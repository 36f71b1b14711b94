#include "authz/keys.h"

#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>

#include "core/log.h"

namespace gridgate::authz {

namespace {

Result<jose::Alg> storedAlg(std::string_view name) {
  if (name == "ES256") return jose::Alg::kES256;
  if (name == "PS256") return jose::Alg::kPS256;
  return fail(Errc::kUnsupported, "signing key alg " + std::string(name));
}

crypto::KeyType keyTypeFor(jose::Alg alg) { return jose::algKeyType(alg); }

Result<std::string> readText(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return fail(Errc::kIo, "cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Result<store::SigningKey> makeSigningKey(const crypto::PKey& key, jose::Alg alg,
                                         std::int64_t created_at, std::int64_t activates_at) {
  if (!jose::algFitsKey(alg, key.type())) {
    return fail(Errc::kInvalidArgument,
                "signing key does not fit " + std::string(jose::algName(alg)));
  }
  if (key.type() == crypto::KeyType::kRsa && key.bits() < 2048) {
    return fail(Errc::kInvalidArgument, "RSA signing key under 2048 bits");  // FAPI-CHECKLIST 58
  }
  GG_TRY(jose::Jwk jwk, jose::Jwk::fromKey(key, {}, alg));
  GG_TRY(std::string pem, key.privatePem());
  store::SigningKey rec;
  rec.kid = jwk.thumbprint();
  rec.alg = std::string(jose::algName(alg));
  rec.private_pem = std::move(pem);
  rec.created_at = created_at;
  rec.activates_at = activates_at;
  return rec;
}

Result<store::SigningKey> SigningKeys::stage(store::KeyStore& store, jose::Alg alg, Seconds delay,
                                             const Clock& clock) {
  GG_TRY(crypto::PKey key, crypto::PKey::generate(keyTypeFor(alg)));
  const std::int64_t now = clock.unixSeconds();
  GG_TRY(store::SigningKey rec, makeSigningKey(key, alg, now, now + delay.count()));
  GG_TRY(store.add(rec));
  return rec;
}

Result<std::shared_ptr<SigningKeys>> SigningKeys::open(store::KeyStore& store,
                                                       const SigningConfig& config,
                                                       Seconds max_token_lifetime,
                                                       const Clock& clock) {
  std::shared_ptr<SigningKeys> keys(new SigningKeys(store, max_token_lifetime, clock));
  const std::int64_t now = clock.unixSeconds();
  GG_TRY(std::vector<store::SigningKey> existing, store.list());
  if (!config.key_file.empty()) {
    GG_TRY(std::string pem, readText(config.key_file));
    GG_TRY(crypto::PKey key, crypto::PKey::fromPem(pem));
    if (!key.hasPrivate()) {
      return fail(Errc::kInvalidArgument, config.key_file.string() + ": not a private key");
    }
    GG_TRY(store::SigningKey rec, makeSigningKey(key, config.alg, now, now));
    const bool known = std::any_of(existing.begin(), existing.end(),
                                   [&](const store::SigningKey& k) { return k.kid == rec.kid; });
    if (!known) {
      if (Status added = store.add(rec); added) {
        log::info("signing key {} imported from the configuration", rec.kid);
      } else if (added.error().code != Errc::kConflict) {
        return fail(added.error());
      }
      // kConflict: another instance sharing the store imported the same file between list()
      // and add() (several instances starting at once); the kid is the key's thumbprint, so the
      // stored record is this very key.
    }
  }
  GG_TRY(keys->reload());
  {
    std::lock_guard lock(keys->mu_);
    const bool can_sign = std::any_of(keys->keys_.begin(), keys->keys_.end(), [&](const Loaded& l) {
      return l.record.activates_at <= now && (!l.record.retired_at || *l.record.retired_at > now);
    });
    if (can_sign) return keys;
  }
  // First start: nothing signs yet. Generate a key that signs at once (there are no tokens yet
  // that a client could hold, so there is nothing to pre-publish for).
  GG_TRY(crypto::PKey key, crypto::PKey::generate(keyTypeFor(config.alg)));
  GG_TRY(store::SigningKey rec, makeSigningKey(key, config.alg, now, now));
  GG_TRY(store.add(rec));
  log::info("signing key {} generated into the key store", rec.kid);
  GG_TRY(keys->reload());
  return keys;
}

Status SigningKeys::reload() {
  GG_TRY(std::vector<store::SigningKey> records, store_.list());
  std::vector<Loaded> loaded;
  for (store::SigningKey& rec : records) {
    auto alg = storedAlg(rec.alg);
    if (!alg) {
      log::warn("signing key {}: {}", rec.kid, alg.error().detail);
      continue;
    }
    auto key = crypto::PKey::fromPem(rec.private_pem);
    if (!key || !key->hasPrivate()) {
      log::warn("signing key {}: private key does not load", rec.kid);
      continue;
    }
    auto jwk = jose::Jwk::fromKey(*key, rec.kid, *alg);
    if (!jwk) {
      log::warn("signing key {}: {}", rec.kid, jwk.error().detail);
      continue;
    }
    loaded.push_back(Loaded{std::move(rec), std::move(*jwk), *alg});
  }
  std::lock_guard lock(mu_);
  keys_ = std::move(loaded);
  set_.reset();  // recomputed by the next current()
  return ok();
}

Result<std::shared_ptr<const KeySet>> SigningKeys::build(std::int64_t now) const {
  // Keys in activation order; ties by creation, then kid (the store's order is by creation).
  std::vector<const Loaded*> order;
  for (const Loaded& l : keys_) order.push_back(&l);
  std::stable_sort(order.begin(), order.end(), [](const Loaded* a, const Loaded* b) {
    return a->record.activates_at < b->record.activates_at;
  });
  const auto retired_by = [&](const Loaded& l, std::int64_t t) {
    return l.record.retired_at && *l.record.retired_at <= t;
  };
  const Loaded* active = nullptr;
  for (const Loaded* l : order) {
    if (l->record.activates_at <= now && !retired_by(*l, now)) active = l;
  }
  if (active == nullptr) return fail(Errc::kKeyNotFound, "no signing key is active");

  const std::int64_t keep = max_token_lifetime_.count() + 60;
  std::int64_t recompute_at = std::numeric_limits<std::int64_t>::max();
  std::vector<jose::Jwk> published;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const Loaded& l = *order[i];
    // When did (or will) this key stop signing: at its retirement, or when the next key that
    // activates after it (and is not retired) takes over.
    std::int64_t stopped = std::numeric_limits<std::int64_t>::max();
    if (l.record.retired_at) stopped = *l.record.retired_at;
    for (std::size_t j = i + 1; j < order.size(); ++j) {
      if (!retired_by(*order[j], order[j]->record.activates_at)) {
        stopped = std::min(stopped, std::max(order[j]->record.activates_at, l.record.activates_at));
        break;
      }
    }
    const bool staged = l.record.activates_at > now;
    const bool still_signing_or_recent =
        stopped == std::numeric_limits<std::int64_t>::max() || now < stopped + keep;
    if (staged) recompute_at = std::min(recompute_at, l.record.activates_at);
    if (stopped != std::numeric_limits<std::int64_t>::max()) {
      if (now < stopped) recompute_at = std::min(recompute_at, stopped);
      if (now < stopped + keep) recompute_at = std::min(recompute_at, stopped + keep);
    }
    if (staged || still_signing_or_recent || &l == active) {
      GG_TRY(jose::Jwk pub, l.jwk.publicOnly());
      published.push_back(std::move(pub));
    }
  }
  GG_TRY(jose::Signer signer, jose::Signer::create(active->alg, active->jwk));
  GG_TRY(jose::Jwks jwks, jose::Jwks::fromKeys(published));
  jose::Verifier::Builder vb;
  for (const jose::Jwk& k : jwks.keys()) vb.allow(*k.alg(), k);
  vb.requireKid();
  GG_TRY(jose::Verifier verifier, vb.build());
  std::string json = dumpJson(jwks.toPublicJson());
  return std::make_shared<const KeySet>(KeySet{std::move(signer), std::move(verifier),
                                               std::move(jwks), std::move(json), recompute_at});
}

std::shared_ptr<const KeySet> SigningKeys::current() {
  const std::int64_t now = clock_.unixSeconds();
  std::lock_guard lock(mu_);
  if (set_ && now < set_->recompute_at) return set_;
  auto built = build(now);
  if (!built) {
    // Keep serving with the previous set rather than failing every token request; open()
    // guarantees a signing key existed at start-up.
    log::error("signing keys: {}", built.error().detail);
    return set_;
  }
  set_ = std::move(*built);
  return set_;
}

}  // namespace gridgate::authz
