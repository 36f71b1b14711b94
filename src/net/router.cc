#include "net/router.h"

#include <stdexcept>

#include "net/form.h"

namespace gridgate::net {

namespace {

constexpr std::size_t kMethods = 8;
constexpr std::size_t kMaxSegments = 64;

std::size_t methodIndex(Method m) { return static_cast<std::size_t>(m); }

// Splits "/a/b" into {"a","b"}; "/" into {}; "/a/" into {"a",""}. False if not absolute or too
// deep.
bool splitPath(std::string_view path, std::vector<std::string_view>& out) {
  out.clear();
  if (path.empty() || path.front() != '/') return false;
  if (path.size() == 1) return true;
  std::size_t start = 1;
  for (;;) {
    const std::size_t slash = path.find('/', start);
    if (out.size() == kMaxSegments) return false;
    if (slash == std::string_view::npos) {
      out.push_back(path.substr(start));
      return true;
    }
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
}

bool isParamName(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  }
  return true;
}

bool isLiteralSegment(std::string_view s) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F || c == '{' || c == '}' || c == '%' || c == '?' || c == '#')
      return false;
  }
  return true;
}

}  // namespace

struct Router::Node {
  std::vector<std::pair<std::string, std::unique_ptr<Node>>> literals;
  std::unique_ptr<Node> param;
  std::array<Route*, kMethods> routes{};

  Node* literal(std::string_view seg) const {
    for (const auto& [k, v] : literals) {
      if (k == seg) return v.get();
    }
    return nullptr;
  }
  bool hasAnyRoute() const {
    for (Route* r : routes) {
      if (r != nullptr) return true;
    }
    return false;
  }
};

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;

Router::Route& Router::insert(Method method, std::string_view pattern, RouteOptions options) {
  if (method == Method::kOther) throw std::invalid_argument("route method must be a known method");
  std::vector<std::string_view> segments;
  if (!splitPath(pattern, segments)) throw std::invalid_argument("bad route pattern");
  auto route = std::make_unique<Route>();
  Node* node = root_.get();
  for (const std::string_view seg : segments) {
    if (seg.size() >= 2 && seg.front() == '{' && seg.back() == '}') {
      const std::string_view name = seg.substr(1, seg.size() - 2);
      if (!isParamName(name)) throw std::invalid_argument("bad parameter name in route pattern");
      for (const auto& existing : route->param_names) {
        if (existing == name) throw std::invalid_argument("repeated parameter in route pattern");
      }
      route->param_names.emplace_back(name);
      if (!node->param) node->param = std::make_unique<Node>();
      node = node->param.get();
    } else {
      if (!isLiteralSegment(seg)) throw std::invalid_argument("bad literal in route pattern");
      Node* next = node->literal(seg);
      if (next == nullptr) {
        node->literals.emplace_back(std::string(seg), std::make_unique<Node>());
        next = node->literals.back().second.get();
      }
      node = next;
    }
  }
  Route*& slot = node->routes[methodIndex(method)];
  if (slot != nullptr) throw std::invalid_argument("duplicate route: " + std::string(pattern));
  route->id = routes_.size();
  route->method = method;
  route->pattern = std::string(pattern);
  route->options = options;
  slot = route.get();
  routes_.push_back(std::move(route));
  return *routes_.back();
}

void Router::add(Method method, std::string_view pattern, SyncHandler handler,
                 RouteOptions options) {
  if (!handler) throw std::invalid_argument("empty handler");
  insert(method, pattern, options).sync = std::move(handler);
}

void Router::add(Method method, std::string_view pattern, AsyncHandler handler,
                 RouteOptions options) {
  if (!handler) throw std::invalid_argument("empty handler");
  insert(method, pattern, options).async = std::move(handler);
}

namespace {

struct Walk {
  const std::vector<std::string_view>& segments;
  std::size_t method;
  std::vector<std::string_view> captured;  // raw parameter values along the current branch
  std::array<bool, kMethods> allowed{};
  bool any_end = false;
};

}  // namespace

// Depth-first over the trie, literal before parameter; each node is reached at most once because a
// node's depth fixes the segment it is compared with. The first end node with a route for the
// method wins; end nodes without it contribute to `Allow`.
static const Router::Route* walk(const auto& node, Walk& w, std::size_t depth,
                                 std::vector<std::string_view>& found_params) {
  if (depth == w.segments.size()) {
    const auto* r = node.routes[w.method];
    if (r == nullptr && w.method == static_cast<std::size_t>(Method::kHead)) {
      r = node.routes[static_cast<std::size_t>(Method::kGet)];
    }
    if (r != nullptr) {
      found_params = w.captured;
      return r;
    }
    if (node.hasAnyRoute()) {
      w.any_end = true;
      for (std::size_t i = 0; i < kMethods; ++i) {
        if (node.routes[i] != nullptr) w.allowed[i] = true;
      }
    }
    return nullptr;
  }
  const std::string_view seg = w.segments[depth];
  if (const auto* lit = node.literal(seg)) {
    if (const auto* r = walk(*lit, w, depth + 1, found_params)) return r;
  }
  if (node.param && !seg.empty()) {
    w.captured.push_back(seg);
    const auto* r = walk(*node.param, w, depth + 1, found_params);
    w.captured.pop_back();
    if (r != nullptr) return r;
  }
  return nullptr;
}

Router::Match Router::match(Method method, std::string_view path) const {
  Match m;
  std::vector<std::string_view> segments;
  if (!splitPath(path, segments)) {
    m.kind = path.empty() || path.front() != '/' ? Match::Kind::kBadPath : Match::Kind::kNotFound;
    return m;
  }
  // Method::kOther has no routes: the walk finds none and reports 405 if the path exists.
  Walk w{segments, methodIndex(method), {}, {}, false};
  std::vector<std::string_view> raw_params;
  const Route* r = walk(*root_, w, 0, raw_params);
  if (r != nullptr) {
    for (std::size_t i = 0; i < raw_params.size(); ++i) {
      auto decoded = percentDecode(raw_params[i], false);
      if (!decoded) {
        m.kind = Match::Kind::kBadPath;
        m.params.clear();
        return m;
      }
      m.params.add(r->param_names[i], std::move(*decoded));
    }
    m.kind = Match::Kind::kFound;
    m.route = r;
    return m;
  }
  if (!w.any_end) return m;
  m.kind = Match::Kind::kMethodNotAllowed;
  for (std::size_t i = 0; i < kMethods; ++i) {
    if (!w.allowed[i]) continue;
    if (!m.allow.empty()) m.allow += ", ";
    m.allow += methodName(static_cast<Method>(i));
    if (static_cast<Method>(i) == Method::kGet && !w.allowed[methodIndex(Method::kHead)]) {
      m.allow += ", HEAD";
    }
  }
  return m;
}

}  // namespace gridgate::net
