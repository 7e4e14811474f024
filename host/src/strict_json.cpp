#include "certbridge/host/strict_json.hpp"

#include <utility>
#include <vector>

namespace certbridge::host {
namespace {

using json = nlohmann::json;

// Builds the DOM like nlohmann's own SAX DOM parser, but rejects duplicate keys and deep nesting.
// nlohmann's lexer already rejects invalid UTF-8 inside strings.
class StrictDomBuilder {
 public:
  explicit StrictDomBuilder(std::size_t maxDepth) : maxDepth_(maxDepth) {}

  bool null() { return add(json(nullptr)); }
  bool boolean(bool value) { return add(json(value)); }
  bool number_integer(json::number_integer_t value) { return add(json(value)); }
  bool number_unsigned(json::number_unsigned_t value) { return add(json(value)); }
  bool number_float(json::number_float_t value, const json::string_t&) { return add(json(value)); }
  bool string(json::string_t& value) { return add(json(std::move(value))); }
  bool binary(json::binary_t&) { return fail("binary values are not JSON"); }

  bool start_object(std::size_t) { return open(json::object()); }
  bool key(json::string_t& name) {
    json& object = *stack_.back();
    if (object.contains(name)) return fail("duplicate key");
    pendingMember_ = &object[name];
    return true;
  }
  bool end_object() {
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) { return open(json::array()); }
  bool end_array() {
    stack_.pop_back();
    return true;
  }

  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception&) {
    return fail("not valid JSON (at byte " + std::to_string(position) + ")");
  }

  json& root() { return root_; }
  const std::string& error() const { return error_; }

 private:
  bool fail(std::string reason) {
    if (error_.empty()) error_ = std::move(reason);
    return false;
  }

  // Places a value and returns where it now lives.
  json* place(json&& value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    json& parent = *stack_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    *pendingMember_ = std::move(value);
    return pendingMember_;
  }

  bool add(json&& value) {
    place(std::move(value));
    return true;
  }

  bool open(json&& container) {
    if (stack_.size() >= maxDepth_) return fail("nested too deeply");
    stack_.push_back(place(std::move(container)));
    return true;
  }

  std::size_t maxDepth_;
  json root_;
  std::vector<json*> stack_;
  json* pendingMember_ = nullptr;
  std::string error_;
};

}  // namespace

std::optional<nlohmann::json> parseStrictJson(std::string_view text, std::string& error, std::size_t maxDepth) {
  // nlohmann's lexer takes a NUL byte for the end of input and would ignore whatever follows; JSON text
  // never holds a raw NUL (inside strings it must be escaped).
  if (text.find('\0') != std::string_view::npos) {
    error = "NUL byte in JSON text";
    return std::nullopt;
  }
  StrictDomBuilder builder(maxDepth);
  bool ok = false;
  try {
    ok = json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json, /*strict=*/true,
                         /*ignore_comments=*/false);
  } catch (const std::exception&) {
    ok = false;
  }
  if (!ok) {
    error = builder.error().empty() ? "not valid JSON" : builder.error();
    return std::nullopt;
  }
  return std::move(builder.root());
}

}  // namespace certbridge::host
