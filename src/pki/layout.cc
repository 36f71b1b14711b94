#include "pki/layout.h"

#include <string>

namespace gridgate::pki {
namespace {

HierarchyFiles hierarchyFiles(const std::filesystem::path& dir, std::string_view h) {
  const std::string p(h);
  return HierarchyFiles{
      dir / (p + "-ca.pem"),         dir / (p + "-ca-key.pem"),        dir / (p + "-issuer.pem"),
      dir / (p + "-issuer-key.pem"), dir / (p + "-verify-bundle.pem"), dir / (p + "-crl.pem"),
      dir / (p + "-revoked.txt")};
}

LeafFiles leafFiles(const std::filesystem::path& dir, const std::string& prefix) {
  return LeafFiles{dir / (prefix + "-cert.pem"), dir / (prefix + "-key.pem"),
                   dir / (prefix + "-bundle.pem")};
}

}  // namespace

std::string_view hierarchyName(Hierarchy h) {
  switch (h) {
    case Hierarchy::kClient:
      return "client";
    case Hierarchy::kServer:
      return "server";
    case Hierarchy::kSigning:
      return "signing";
  }
  return "client";
}

std::string_view hierarchyTitle(Hierarchy h) {
  switch (h) {
    case Hierarchy::kClient:
      return "Client";
    case Hierarchy::kServer:
      return "Server";
    case Hierarchy::kSigning:
      return "Signing";
  }
  return "Client";
}

Layout Layout::in(const std::filesystem::path& dir) {
  Layout l;
  l.dir = dir;
  l.client = hierarchyFiles(dir, "client");
  l.server = hierarchyFiles(dir, "server");
  l.signing = hierarchyFiles(dir, "signing");
  l.server_leaf = leafFiles(dir, "server");
  l.client_demo = leafFiles(dir, "client-demo");
  l.client_other = leafFiles(dir, "client-other");
  l.signing_provider = leafFiles(dir, "signing-provider");
  l.token_signing_key = dir / "token-signing-key.pem";
  l.readme = dir / "README.txt";
  return l;
}

const HierarchyFiles& Layout::hierarchy(Hierarchy h) const {
  switch (h) {
    case Hierarchy::kClient:
      return client;
    case Hierarchy::kServer:
      return server;
    case Hierarchy::kSigning:
      return signing;
  }
  return client;
}

LeafFiles Layout::leaf(Hierarchy h, std::string_view name) const {
  return leafFiles(dir, std::string(hierarchyName(h)) + "-" + std::string(name));
}

}  // namespace gridgate::pki
