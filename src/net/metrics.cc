#include "net/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace gridgate::net {

namespace {

enum Type { kCounter = 0, kGauge = 1, kHistogram = 2, kGaugeCallback = 3 };

bool isMetricName(std::string_view s, bool allow_colon) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alpha =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':');
    if (!(alpha || (i > 0 && c >= '0' && c <= '9'))) return false;
  }
  return s.substr(0, 2) != "__";
}

void appendEscaped(std::string& out, std::string_view v, bool quote_too) {
  for (const char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote_too) {
      out += "\\\"";
    } else {
      out.push_back(c);
    }
  }
}

// `{a="x",b="y"}` (empty for no labels), with `extra` appended (the histogram's `le`).
std::string renderLabels(const Labels& labels, std::string_view extra_name = {},
                         std::string_view extra_value = {}) {
  if (labels.empty() && extra_name.empty()) return {};
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out.push_back(',');
    first = false;
    out += k;
    out += "=\"";
    appendEscaped(out, v, true);
    out.push_back('"');
  }
  if (!extra_name.empty()) {
    if (!first) out.push_back(',');
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

std::string formatDouble(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[512];
  // Plain decimals where they are short ("0.0001", not "1e-04"); exponents for the extremes.
  const double mag = std::fabs(v);
  const auto res = (mag == 0 || (mag >= 1e-6 && mag < 1e15))
                       ? std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed)
                       : std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, res.ptr);
}

void checkLabels(const Labels& labels) {
  for (const auto& [k, v] : labels) {
    if (!isMetricName(k, false) || k == "le") throw std::invalid_argument("bad label name: " + k);
  }
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {
  for (std::size_t i = 1; i < bounds_.size(); ++i) {
    if (!(bounds_[i] > bounds_[i - 1])) throw std::invalid_argument("histogram bounds not sorted");
  }
}

void Histogram::observe(double v) {
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
  buckets_[static_cast<std::size_t>(it - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.bounds = bounds_;
  s.cumulative.resize(bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = running;
  }
  s.count = running;
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

struct MetricsRegistry::Family {
  int type = kCounter;
  std::string help;
  struct Series {
    Labels labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
    std::function<double()> read;
  };
  std::map<std::string, Series> series;  // by rendered label set
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Family& MetricsRegistry::family(std::string_view name, std::string_view help,
                                                 int type) {
  if (!isMetricName(name, true)) throw std::invalid_argument("bad metric name");
  auto it = families_.find(name);
  if (it == families_.end()) {
    auto f = std::make_unique<Family>();
    f->type = type;
    f->help = std::string(help);
    it = families_.emplace(std::string(name), std::move(f)).first;
  }
  const bool gauge_kinds = (it->second->type == kGauge || it->second->type == kGaugeCallback) &&
                           (type == kGauge || type == kGaugeCallback);
  if (it->second->type != type && !gauge_kinds) {
    throw std::invalid_argument("metric registered with another type: " + std::string(name));
  }
  return *it->second;
}

Counter& MetricsRegistry::counter(std::string_view name, std::string_view help,
                                  const Labels& labels) {
  checkLabels(labels);
  std::lock_guard lock(mu_);
  Family& f = family(name, help, kCounter);
  auto& s = f.series[renderLabels(labels)];
  if (!s.counter) {
    s.labels = labels;
    s.counter = std::make_unique<Counter>();
  }
  return *s.counter;
}

Gauge& MetricsRegistry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
  checkLabels(labels);
  std::lock_guard lock(mu_);
  Family& f = family(name, help, kGauge);
  auto& s = f.series[renderLabels(labels)];
  if (s.read) throw std::invalid_argument("gauge series already has a callback");
  if (!s.gauge) {
    s.labels = labels;
    s.gauge = std::make_unique<Gauge>();
  }
  return *s.gauge;
}

Histogram& MetricsRegistry::histogram(std::string_view name, std::string_view help,
                                      const std::vector<double>& bounds, const Labels& labels) {
  checkLabels(labels);
  std::lock_guard lock(mu_);
  Family& f = family(name, help, kHistogram);
  auto& s = f.series[renderLabels(labels)];
  if (!s.histogram) {
    s.labels = labels;
    s.histogram = std::make_unique<Histogram>(bounds);
  }
  return *s.histogram;
}

void MetricsRegistry::gaugeCallback(std::string_view name, std::string_view help,
                                    const Labels& labels, std::function<double()> read) {
  checkLabels(labels);
  std::lock_guard lock(mu_);
  Family& f = family(name, help, kGaugeCallback);
  auto& s = f.series[renderLabels(labels)];
  if (s.gauge) throw std::invalid_argument("gauge series already exists");
  s.labels = labels;
  s.read = std::move(read);
}

std::string MetricsRegistry::renderPrometheus() const {
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& [name, f] : families_) {
    out += "# HELP ";
    out += name;
    out.push_back(' ');
    appendEscaped(out, f->help, false);
    out += "\n# TYPE ";
    out += name;
    out += f->type == kCounter ? " counter\n" : f->type == kHistogram ? " histogram\n" : " gauge\n";
    for (const auto& [label_text, s] : f->series) {
      if (s.counter) {
        out += name + label_text + ' ' + std::to_string(s.counter->value()) + '\n';
      } else if (s.gauge) {
        out += name + label_text + ' ' + formatDouble(s.gauge->value()) + '\n';
      } else if (s.read) {
        out += name + label_text + ' ' + formatDouble(s.read()) + '\n';
      } else if (s.histogram) {
        const Histogram::Snapshot snap = s.histogram->snapshot();
        for (std::size_t i = 0; i < snap.bounds.size(); ++i) {
          out += name + "_bucket" + renderLabels(s.labels, "le", formatDouble(snap.bounds[i])) +
                 ' ' + std::to_string(snap.cumulative[i]) + '\n';
        }
        out += name + "_bucket" + renderLabels(s.labels, "le", "+Inf") + ' ' +
               std::to_string(snap.count) + '\n';
        out += name + "_sum" + label_text + ' ' + formatDouble(snap.sum) + '\n';
        out += name + "_count" + label_text + ' ' + std::to_string(snap.count) + '\n';
      }
    }
  }
  return out;
}

const std::vector<double>& MetricsRegistry::latencyBuckets() {
  static const std::vector<double> kBuckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                            0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                            1,      2.5,     5,      10};
  return kBuckets;
}

}  // namespace gridgate::net
