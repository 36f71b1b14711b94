#include "validator/http/protect.h"

#include <exception>

#include "core/log.h"

namespace gridgate::validator::http {

struct HttpValidator::Shared {
  std::shared_ptr<const Validator> validator;
  std::shared_ptr<net::BlockingPool> pool;
  CertificateSource certificate_source;

  net::Response refusal(const AuthError& error) const {
    const WireError w = render(error, validator->config().realm, validator->config().retry_after);
    net::Response r;
    r.status = w.status;
    for (const auto& [name, value] : w.headers) r.headers.add(name, value);
    if (!w.body.empty()) {
      r.headers.set("Content-Type", w.content_type);
      r.body = w.body;
    }
    return r;
  }
};

void fillRequestView(const net::Request& request, const x509::Certificate* cert,
                     std::span<const x509::Certificate> chain, NetRequestView& out) {
  // Headers::getAll allocates; two slots are enough to see a duplicate.
  std::size_t n = 0;
  for (const auto& field : request.headers) {
    if (net::iequals(field.name, "authorization")) {
      if (n < out.authorization.size()) out.authorization[n] = field.value;
      ++n;
    }
  }
  out.view.authorization = std::span<const std::string_view>(out.authorization.data(),
                                                             std::min(n, out.authorization.size()));
  out.view.token_in_query = !request.query.empty() && queryHasAccessToken(request.query);
  out.view.token_in_body =
      !request.body.empty() && request.isForm() && formHasAccessToken(request.body);
  out.view.client_cert = cert;
  out.view.chain = chain;
  out.view.method = request.method_token;
  out.view.path = request.route;
}

namespace {

using Shared = HttpValidator::Shared;
// What the handler does once the token is known: answer through `done`.
using Continue = std::function<void(const net::Request&, const TokenInfo&, net::Respond)>;

void logRefusal(const net::Request& req, const AuthError& e) {
  if (e.reason == Reason::kIssuerUnavailable) {
    log::warn("validator: {} {}: 503 {}: {}", req.method_token, req.route, reasonName(e.reason),
              e.detail);
  } else {
    log::info("validator: {} {}: {} {}: {}", req.method_token, req.route, httpStatus(e.reason),
              reasonName(e.reason), e.detail);
  }
}

// One check, with the certificate from the configured source. kNeedsIo is returned as is.
CheckResult runCheck(const Shared& s, const net::Request& req, const RouteRequirements& route,
                     IoPolicy io) {
  std::optional<x509::Certificate> sourced;
  const x509::Certificate* cert = nullptr;
  std::span<const x509::Certificate> chain;
  if (s.certificate_source) {
    auto c = s.certificate_source(req);
    if (!c) {
      return tl::unexpected(AuthError{Reason::kBadCertificateHeader, c.error().detail, {}});
    }
    sourced = std::move(*c);
    if (sourced) cert = &*sourced;
  } else if (req.peer.client_cert) {
    cert = &req.peer.client_cert->leaf;
    chain = req.peer.client_cert->chain;
  }
  NetRequestView nv;
  fillRequestView(req, cert, chain, nv);
  return s.validator->check(nv.view, route, io);
}

void finish(const Shared& shared, const Continue& next, const net::Request& req,
            const net::Respond& done, CheckResult r) {
  if (!r) {
    logRefusal(req, r.error());
    done(shared.refusal(r.error()));
    return;
  }
  try {
    next(req, *r, done);
  } catch (const std::exception& e) {
    // A throwing handler is a bug; answer as the server does for synchronous handlers.
    log::error("validator: handler for {} threw: {}", req.route, e.what());
    done(net::Response::text(500, "internal error"));
  }
}

net::AsyncHandler makeHandler(std::shared_ptr<const Shared> shared,
                              std::shared_ptr<const RouteRequirements> route,
                              std::shared_ptr<const Continue> next, bool offload_next) {
  return [shared = std::move(shared), route = std::move(route), next = std::move(next),
          offload_next](const net::Request& req, net::Respond done) {
    CheckResult first = runCheck(*shared, req, *route, IoPolicy::kForbid);
    const bool needs_io = !first && first.error().reason == Reason::kNeedsIo;
    if (!needs_io && !(offload_next && first)) {
      finish(*shared, *next, req, done, std::move(first));
      return;
    }
    // Off the I/O thread. The Request stays valid until `done` is called (net::Router).
    const bool posted = shared->pool->post(
        [shared, route, next, &req, done, needs_io, first = std::move(first)]() mutable {
          finish(*shared, *next, req, done,
                 needs_io ? runCheck(*shared, req, *route, IoPolicy::kAllow) : std::move(first));
        });
    if (!posted) {
      finish(*shared, *next, req, done,
             tl::unexpected(
                 AuthError{Reason::kIssuerUnavailable, "validator: blocking pool full", {}}));
    }
  };
}

}  // namespace

HttpValidator::HttpValidator(std::shared_ptr<const Validator> validator,
                             HttpValidatorOptions options)
    : shared_(std::make_shared<Shared>()) {
  shared_->validator = std::move(validator);
  shared_->pool = options.pool ? std::move(options.pool) : std::make_shared<net::BlockingPool>(2);
  shared_->certificate_source = std::move(options.certificate_source);
}

HttpValidator::~HttpValidator() = default;

net::AsyncHandler HttpValidator::protect(RouteRequirements route, ProtectedHandler handler,
                                         ProtectOptions options) const {
  auto next = std::make_shared<const Continue>(
      [handler = std::move(handler)](const net::Request& req, const TokenInfo& token,
                                     net::Respond done) { done(handler(req, token)); });
  return makeHandler(shared_, std::make_shared<const RouteRequirements>(std::move(route)),
                     std::move(next), options.offload_handler);
}

net::AsyncHandler HttpValidator::protectAsync(RouteRequirements route,
                                              ProtectedAsyncHandler handler) const {
  auto next = std::make_shared<const Continue>(
      [handler = std::move(handler)](const net::Request& req, const TokenInfo& token,
                                     net::Respond done) { handler(req, token, std::move(done)); });
  return makeHandler(shared_, std::make_shared<const RouteRequirements>(std::move(route)),
                     std::move(next), false);
}

net::Response HttpValidator::refusal(const AuthError& error) const {
  return shared_->refusal(error);
}

const Validator& HttpValidator::validator() const { return *shared_->validator; }

}  // namespace gridgate::validator::http
