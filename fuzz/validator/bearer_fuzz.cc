// Bearer extraction from Authorization header values (one per line of the input; a first line
// "Q:..." is a query string, "F:..." a form body): never crashes, and an accepted token is a
// non-empty b64token taken from the single header.
#include <cstdlib>
#include <string>
#include <vector>

#include "validator/bearer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gridgate::validator;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= text.size() && lines.size() < 4) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  RequestView view;
  if (!lines.empty() && lines.front().starts_with("Q:")) {
    view.token_in_query = queryHasAccessToken(lines.front().substr(2));
    lines.erase(lines.begin());
  } else if (!lines.empty() && lines.front().starts_with("F:")) {
    view.token_in_body = formHasAccessToken(lines.front().substr(2));
    lines.erase(lines.begin());
  }
  view.authorization = lines;
  auto token = extractBearer(view);
  if (token) {
    if (lines.size() != 1 || token->empty() || !isB64Token(*token)) std::abort();
    if (token->size() > kMaxTokenBytes) std::abort();
    if (token->data() < lines[0].data() ||
        token->data() + token->size() > lines[0].data() + lines[0].size()) {
      std::abort();
    }
  } else if (token.error().reason == Reason::kNeedsIo) {
    std::abort();
  }
  return 0;
}
