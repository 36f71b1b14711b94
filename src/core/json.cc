#include "core/json.h"

#include <vector>

namespace gridgate {
namespace {

// A SAX consumer that builds the DOM itself, so that it can enforce depth and key uniqueness
// while parsing (nlohmann's own DOM builder silently keeps the last duplicate).
template <class J>
class BoundedBuilder final : public nlohmann::json_sax<J> {
 public:
  using Base = nlohmann::json_sax<J>;
  using typename Base::binary_t;
  using typename Base::number_float_t;
  using typename Base::number_integer_t;
  using typename Base::number_unsigned_t;
  using typename Base::string_t;

  explicit BoundedBuilder(const JsonLimits& limits) : limits_(limits) {}

  bool null() override { return put(J(nullptr)); }
  bool boolean(bool v) override { return put(J(v)); }
  bool number_integer(number_integer_t v) override { return put(J(v)); }
  bool number_unsigned(number_unsigned_t v) override { return put(J(v)); }
  bool number_float(number_float_t v, const string_t& /*unused*/) override { return put(J(v)); }
  bool string(string_t& v) override { return put(J(std::move(v))); }
  bool binary(binary_t& /*unused*/) override { return fault("binary values are not JSON"); }

  bool start_object(std::size_t /*unused*/) override {
    if (!enter()) return false;
    return open(J::object());
  }
  bool key(string_t& k) override {
    J& obj = *stack_.back();
    if (!limits_.allow_duplicate_keys && obj.contains(k)) return fault("duplicate key");
    pending_key_ = std::move(k);
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t /*unused*/) override {
    if (!enter()) return false;
    return open(J::array());
  }
  bool end_array() override { return close(); }

  bool parse_error(std::size_t position, const std::string& /*unused*/,
                   const nlohmann::detail::exception& /*unused*/) override {
    return fault("syntax error at byte " + std::to_string(position));
  }

  J take() { return std::move(root_); }
  const std::string& error() const { return error_; }
  bool limitHit() const { return limit_hit_; }

 private:
  bool enter() {
    if (static_cast<int>(stack_.size()) >= limits_.max_depth) {
      limit_hit_ = true;
      return fault("nesting too deep");
    }
    return true;
  }
  bool put(J v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return true;
    }
    J& top = *stack_.back();
    if (top.is_object()) {
      top[pending_key_] = std::move(v);
    } else {
      top.push_back(std::move(v));
    }
    return true;
  }
  bool open(J v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      stack_.push_back(&root_);
      return true;
    }
    J& top = *stack_.back();
    J* child = nullptr;
    if (top.is_object()) {
      child = &(top[pending_key_] = std::move(v));
    } else {
      top.push_back(std::move(v));
      child = &top.back();
    }
    stack_.push_back(child);
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }
  bool fault(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return false;
  }

  const JsonLimits& limits_;
  J root_;
  std::vector<J*> stack_;
  std::string pending_key_;
  std::string error_;
  bool limit_hit_ = false;
};

template <class J>
Result<J> parseBounded(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) return fail(Errc::kLimitExceeded, "json: too large");
  BoundedBuilder<J> builder(limits);
  const bool ok = J::sax_parse(text.begin(), text.end(), &builder,
                               nlohmann::detail::input_format_t::json, /*strict=*/true);
  if (!ok) {
    return fail(builder.limitHit() ? Errc::kLimitExceeded : Errc::kMalformed,
                "json: " + (builder.error().empty() ? std::string("invalid") : builder.error()));
  }
  return builder.take();
}

}  // namespace

Result<Json> parseJson(std::string_view text, const JsonLimits& limits) {
  return parseBounded<Json>(text, limits);
}

Result<OrderedJson> parseOrderedJson(std::string_view text, const JsonLimits& limits) {
  return parseBounded<OrderedJson>(text, limits);
}

Result<Json> parseJsonObject(std::string_view text, const JsonLimits& limits) {
  GG_TRY(Json doc, parseJson(text, limits));
  if (!doc.is_object()) return fail(Errc::kMalformed, "json: top level is not an object");
  return doc;
}

std::string dumpJson(const Json& value, int indent) {
  return value.dump(indent, ' ', false, Json::error_handler_t::replace);
}

const Json* jsonMember(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const std::string* jsonString(const Json& object, std::string_view key) {
  const Json* m = jsonMember(object, key);
  return m != nullptr && m->is_string() ? m->get_ptr<const std::string*>() : nullptr;
}

std::optional<std::int64_t> jsonInt(const Json& object, std::string_view key) {
  const Json* m = jsonMember(object, key);
  if (m == nullptr) return std::nullopt;
  if (m->is_number_unsigned()) {  // checked first: nlohmann counts unsigned as integer too
    const auto u = m->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (m->is_number_integer()) return m->get<std::int64_t>();
  return std::nullopt;
}

std::optional<bool> jsonBool(const Json& object, std::string_view key) {
  const Json* m = jsonMember(object, key);
  if (m == nullptr || !m->is_boolean()) return std::nullopt;
  return m->get<bool>();
}

}  // namespace gridgate
