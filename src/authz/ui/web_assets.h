// The files of web/ (HTML templates and CSS), embedded into the binary at build time by
// embed_assets.cmake: the server needs no file system access to render a page, and a deployed
// binary cannot be made to serve a template someone edited on disk.
//
//   std::optional<std::string_view> css = ui::webAsset("style.css");
#pragma once

#include <optional>
#include <string_view>

namespace gridgate::authz::ui {

// The bytes of web/<name> ("login.html"), or nullopt if no such file was embedded.
std::optional<std::string_view> webAsset(std::string_view name);

}  // namespace gridgate::authz::ui
