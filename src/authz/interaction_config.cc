#include "authz/interaction_config.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "authz/subject_rules.h"

namespace gridgate::authz {

Result<ui::InteractionSettings> parseInteractionSection(const config::Document& doc,
                                                        const AuthzConfig& config) {
  const config::Section s = doc.section("authz.interaction");
  ui::InteractionSettings out;
  GG_TRY(std::string mode, s.string("mode", "builtin"));
  if (mode == "builtin") {
    out.mode = ui::InteractionMode::kBuiltin;
  } else if (mode == "external") {
    out.mode = ui::InteractionMode::kExternal;
  } else {
    return fail(Errc::kInvalidArgument, s.keyPath("mode") + " must be builtin or external");
  }
  GG_TRY(out.external.login_url, s.string("login_url", ""));
  GG_TRY(out.external.consent_url, s.string("consent_url", ""));
  if (out.mode == ui::InteractionMode::kExternal &&
      (out.external.login_url.empty() || out.external.consent_url.empty())) {
    return fail(Errc::kInvalidArgument,
                s.path() + ": external mode needs login_url and consent_url");
  }
  GG_TRY(out.session_lifetime, s.duration("session_lifetime", out.session_lifetime));
  GG_TRY(out.revoke_instructions, s.string("revoke_instructions", ""));
  GG_TRY(std::filesystem::path key_file, s.filePath("csrf_key_file"));
  if (!key_file.empty()) {
    std::ifstream in(key_file, std::ios::binary);
    if (!in) return fail(Errc::kIo, "cannot read " + key_file.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    const std::string key = ss.str();
    if (key.size() < 32) {
      return fail(Errc::kInvalidArgument, s.keyPath("csrf_key_file") + " holds under 32 bytes");
    }
    out.csrf_key.assign(key.begin(), key.end());
  }
  GG_TRY(std::vector<config::Section> names, s.tableArray("scope_names"));
  for (const config::Section& n : names) {
    GG_TRY(std::string scope, n.requiredString("scope"));
    GG_TRY(std::string words, n.requiredString("words"));
    // A typo in a licence URL would silently fall back to the generic wording: refuse it.
    const bool known = std::any_of(config.clients.all().begin(), config.clients.all().end(),
                                   [&](const ClientConfig& c) { return c.allowsScope(scope); });
    if (!known) {
      return fail(Errc::kInvalidArgument,
                  n.keyPath("scope") + " is not a scope of any registered client");
    }
    out.scope_names[scope] = words;
  }
  return out;
}

Result<std::shared_ptr<ui::InteractionService>> makeInteractionFor(
    AuthorizationServer& server, std::shared_ptr<store::Store> store,
    std::shared_ptr<const AuthzConfig> config, ui::InteractionSettings settings,
    const Clock& clock) {
  ui::InteractionDeps deps;
  deps.store = std::move(store);
  deps.flow = &server.flow();
  deps.clock = &clock;
  deps.clients = [config](std::string_view id) -> std::optional<ui::ClientDisplay> {
    if (const ClientConfig* c = config->clients.find(id)) {
      return ui::ClientDisplay{c->display_name};
    }
    return std::nullopt;
  };
  settings.issuer = config->issuer;
  settings.grant_lifetime = config->grant_lifetime;
  settings.brand.provider_name = config->provider_name;
  settings.subject_check = [config](std::string_view subject) {
    return checkUserSubject(subject, &config->clients);  // FAPI-CHECKLIST 12
  };
  deps.settings = std::move(settings);
  GG_TRY(std::shared_ptr<ui::InteractionService> ui, ui::makeInteraction(std::move(deps)));
  server.setInteraction(ui);
  return ui;
}

}  // namespace gridgate::authz
