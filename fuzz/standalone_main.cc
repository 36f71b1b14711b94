// A libFuzzer-compatible driver for builds without libFuzzer (GCC, the asan preset): it runs every
// corpus input, then mutates them at random for --seconds, calling LLVMFuzzerTestOneInput. ctest
// runs it under ASan+UBSan as the `fuzz-smoke` check; `make fuzz` uses real libFuzzer (clang-14).
//
//   fuzz_jws --seconds=3 fuzz/jose/corpus/jws
//
// When an input fails (abort, or a sanitizer report), the driver prints it to stderr as hex, so
// that a failure seen once in CI can be replayed: `xxd -r -p hex.txt > crash; fuzz_jws crash`.
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

using Input = std::vector<std::uint8_t>;
constexpr std::size_t kMaxLen = 64 * 1024;

void addFile(const std::filesystem::path& p, std::vector<Input>& corpus) {
  std::ifstream in(p, std::ios::binary);
  corpus.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The input being run, for the failure report below.
const Input* volatile g_current = nullptr;

void writeAll(const char* data, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(STDERR_FILENO, data, n);
    if (w <= 0) return;
    data += w;
    n -= static_cast<std::size_t>(w);
  }
}

// Async-signal-safe: no allocation, only write(2).
void reportCurrent() {
  const Input* in = g_current;
  if (in == nullptr) return;
  static constexpr char kHead[] = "\nfuzz smoke: the failing input, as hex (xxd -r -p):\n";
  static constexpr char kHex[] = "0123456789abcdef";
  writeAll(kHead, sizeof(kHead) - 1);
  char buf[1024];
  std::size_t n = 0;
  for (const std::uint8_t b : *in) {
    buf[n++] = kHex[b >> 4];
    buf[n++] = kHex[b & 0xF];
    if (n == sizeof(buf)) {
      writeAll(buf, n);
      n = 0;
    }
  }
  buf[n++] = '\n';
  writeAll(buf, n);
}

void onAbort(int sig) {
  reportCurrent();
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void run(const Input& in) {
  g_current = &in;
  LLVMFuzzerTestOneInput(in.data(), in.size());
  g_current = nullptr;
}

Input mutate(const std::vector<Input>& corpus, std::mt19937_64& rng) {
  auto pick = [&](std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng() % n); };
  Input out = corpus.empty() ? Input{} : corpus[pick(corpus.size())];
  const int rounds = 1 + static_cast<int>(rng() % 4);
  for (int r = 0; r < rounds; ++r) {
    switch (rng() % 8) {
      case 0:  // flip a bit
        if (!out.empty()) out[pick(out.size())] ^= static_cast<std::uint8_t>(1U << (rng() % 8));
        break;
      case 1:  // set a byte to an interesting value
        if (!out.empty()) {
          static constexpr std::uint8_t kVals[] = {0,   0xFF, '"', '\\', '.', '=',  '%',  '{', '}',
                                                   '[', ']',  ',', ':',  '-', '\n', 0x7F, 0x80};
          out[pick(out.size())] = kVals[pick(sizeof(kVals))];
        }
        break;
      case 2:  // insert a random byte
        if (out.size() < kMaxLen) {
          out.insert(out.begin() + static_cast<long>(pick(out.size() + 1)),
                     static_cast<std::uint8_t>(rng()));
        }
        break;
      case 3:  // erase a range
        if (!out.empty()) {
          const std::size_t at = pick(out.size());
          const std::size_t n = 1 + pick(std::min<std::size_t>(16, out.size() - at));
          out.erase(out.begin() + static_cast<long>(at), out.begin() + static_cast<long>(at + n));
        }
        break;
      case 4:  // truncate
        out.resize(pick(out.size() + 1));
        break;
      case 5:  // splice with another input
        if (!corpus.empty()) {
          const Input& other = corpus[pick(corpus.size())];
          const std::size_t cut = pick(out.size() + 1);
          const std::size_t from = pick(other.size() + 1);
          out.resize(cut);
          out.insert(out.end(), other.begin() + static_cast<long>(from), other.end());
        }
        break;
      case 6:  // duplicate a chunk
        if (!out.empty() && out.size() < kMaxLen / 2) {
          const std::size_t at = pick(out.size());
          const std::size_t n = 1 + pick(std::min<std::size_t>(64, out.size() - at));
          Input chunk(out.begin() + static_cast<long>(at), out.begin() + static_cast<long>(at + n));
          out.insert(out.begin() + static_cast<long>(pick(out.size() + 1)), chunk.begin(),
                     chunk.end());
        }
        break;
      default:  // replace a byte with a random one
        if (!out.empty()) out[pick(out.size())] = static_cast<std::uint8_t>(rng());
        break;
    }
  }
  if (out.size() > kMaxLen) out.resize(kMaxLen);
  return out;
}

}  // namespace

// Sanitizer builds: called before a sanitizer ends the process after its report.
extern "C" void __sanitizer_set_death_callback(void (*callback)()) __attribute__((weak));

int main(int argc, char** argv) {
  std::signal(SIGABRT, onAbort);
  if (__sanitizer_set_death_callback != nullptr) __sanitizer_set_death_callback(reportCurrent);
  double seconds = 3;
  std::vector<Input> corpus;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--seconds=", 0) == 0) {
      seconds = std::strtod(arg.c_str() + 10, nullptr);
      continue;
    }
    const std::filesystem::path p(arg);
    if (std::filesystem::is_directory(p)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(p)) {
        if (e.is_regular_file()) addFile(e.path(), corpus);
      }
    } else if (std::filesystem::is_regular_file(p)) {
      addFile(p, corpus);
    }
  }
  for (const Input& in : corpus) run(in);
  std::mt19937_64 rng(0x9E3779B97F4A7C15ULL);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  std::size_t runs = corpus.size();
  while (std::chrono::steady_clock::now() < deadline) {
    for (int i = 0; i < 64; ++i) run(mutate(corpus, rng));
    runs += 64;
  }
  std::printf("fuzz smoke: %zu corpus inputs, %zu runs, no crash\n", corpus.size(), runs);
  return 0;
}
