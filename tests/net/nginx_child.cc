#include "nginx_child.h"

#include <vector>

namespace gridgate::net::test {

std::unique_ptr<ChildProcess> startNginx(const std::string& dir, const std::string& http_body) {
  std::string conf = "master_process off;\nerror_log " + dir +
                     "/error.log warn;\nevents { worker_connections 256; }\nhttp {\n"
                     "  access_log off;\n";
  for (const char* temp : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
    conf += std::string("  ") + temp + "_temp_path " + dir + "/" + temp + ";\n";
  }
  conf += http_body + "}\n";
  const std::string conf_path = dir + "/nginx.conf";
  writeFileText(conf_path, conf);
  return std::make_unique<ChildProcess>(
      std::vector<std::string>{kNginx, "-p", dir, "-c", conf_path, "-e", dir + "/error.log", "-g",
                               "daemon off; pid " + dir + "/nginx.pid;"},
      dir + "/stdout.log");
}

std::string mtlsProxyServer(const MtlsProxy& p) {
  return "  server {\n    listen 127.0.0.1:" + std::to_string(p.port) +
         " ssl;\n    ssl_certificate " + p.cert_chain + ";\n    ssl_certificate_key " + p.key +
         ";\n    ssl_client_certificate " + p.client_ca +
         ";\n    ssl_verify_client on;\n    ssl_verify_depth 2;\n"
         "    location / {\n      proxy_pass http://127.0.0.1:" +
         std::to_string(p.upstream) +
         ";\n      proxy_http_version 1.1;\n      proxy_set_header Connection \"\";\n"
         "      proxy_set_header X-Amzn-Mtls-Clientcert-Leaf $ssl_client_escaped_cert;\n"
         "    }\n  }\n";
}

}  // namespace gridgate::net::test
