#include "authz/error_page.h"

#include "authz/ui/pages.h"

namespace gridgate::authz {

net::Response localErrorPage(int status, std::string_view title, std::string_view message,
                             std::string_view provider_name) {
  return ui::errorPage(status, title, message,
                       ui::PageBrand{.provider_name = std::string(provider_name)});
}

}  // namespace gridgate::authz
