// jwt_bench's memory figures (issue 2: a key set of 100,000 HS256 keys in
// <= 40 MB), measured with glibc's allocator counters; the speed
// benchmarks are in jwt_bench.cc, in the same binary.
#include <malloc.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "bench/jwt_bench_support.h"
#include "benchmark/benchmark.h"
#include "common/crypto/hmac_sha256.h"
#include "common/crypto/random.h"
#include "common/token/key_set.h"
#include "common/token/keys.h"

namespace meshid {
namespace {

using jwtbench::Must;
using jwtbench::RandomKid;

constexpr int kMemoryKeys = 100000;


// Bytes the allocator has handed out and not had back: the arena chunks in
// use (uordblks) plus the mmapped ones (hblkhd). Large blocks (the hash
// table's backing array, several MB) are mmapped by glibc and do not show up
// in uordblks alone.
struct HeapUse {
  size_t arena = 0;
  size_t mmapped = 0;
  size_t total() const { return arena + mmapped; }
};
HeapUse Heap() {
  const struct mallinfo2 mi = mallinfo2();
  return HeapUse{mi.uordblks, mi.hblkhd};
}

struct KeyInputs {
  std::string kid;
  std::string client_id;
  std::string audience;
};

KeyInputs MemoryKeyInputs(int i) {
  return KeyInputs{RandomKid(), absl::StrFormat("client-%05d", i),
                   absl::StrFormat("service-%04d", i % 10000)};
}

// The production shape: 100,000 pair keys, kid = base64url(16 random
// bytes), a 32-byte random secret each. Everything but the built set (the
// builder, the secrets, the StatusOr temporaries) is gone on return.
std::shared_ptr<const KeySet> BuildPairKeySet(int n) {
  KeySet::Builder builder;
  for (int i = 0; i < n; ++i) {
    KeyInputs in = MemoryKeyInputs(i);
    const crypto::SecretBytes secret = Must(crypto::RandomSecret(32), "secret");
    builder.AddKey(Must(VerificationKey::Hs256(std::move(in.kid), secret.view(),
                                               std::move(in.client_id),
                                               std::move(in.audience)),
                        "hs256 key"));
  }
  return std::move(builder).Build();
}

// Prints one measurement on stderr and returns the bytes per key.
double ReportBytes(const char* label, HeapUse before, HeapUse after, int n) {
  const double total = static_cast<double>(after.total()) -
                       static_cast<double>(before.total());
  const double arena = static_cast<double>(after.arena) -
                       static_cast<double>(before.arena);
  std::fprintf(stderr,
               "jwt_bench memory: %s: %.0f bytes (%.2f MB) for %d keys = "
               "%.1f B/key [uordblks %+.0f, hblkhd %+.0f]\n",
               label, total, total / 1e6, n, total / n, arena, total - arena);
  return total / n;
}

void BM_Memory_KeySet100kHs256(benchmark::State& state) {
  crypto::RandomBytes(16).IgnoreError();  // the DRBG's own state, first use
  for (auto _ : state) {
    const HeapUse before = Heap();
    std::shared_ptr<const KeySet> set = BuildPairKeySet(kMemoryKeys);
    const HeapUse after = Heap();
    if (set->key_count() != static_cast<size_t>(kMemoryKeys)) {
      state.SkipWithError("wrong key count");
      break;
    }
    ReportBytes("KeySet 100k HS256", before, after, kMemoryKeys);
    state.counters["bytes_total"] = static_cast<double>(after.total()) -
                                    static_cast<double>(before.total());
    state.counters["bytes_per_key"] =
        state.counters["bytes_total"] / kMemoryKeys;
    state.counters["uordblks_delta"] = static_cast<double>(after.arena) -
                                       static_cast<double>(before.arena);
    set.reset();
    const HeapUse released = Heap();
    state.counters["bytes_leaked_after_drop"] =
        static_cast<double>(released.total()) -
        static_cast<double>(before.total());
  }
}
BENCHMARK(BM_Memory_KeySet100kHs256)->Iterations(1);

// Where the bytes of BM_Memory_KeySet100kHs256 go, each part measured on its
// own with the same allocator: the kid strings, the shared VerificationKeys
// (make_shared: control block + object), the hash table, and the HMAC
// material (the set again with revoked keys, which carry none).
void BM_Memory_Breakdown(benchmark::State& state) {
  crypto::RandomBytes(16).IgnoreError();
  const int n = kMemoryKeys;
  for (auto _ : state) {
    std::vector<KeyInputs> inputs;
    inputs.reserve(n);
    for (int i = 0; i < n; ++i) inputs.push_back(MemoryKeyInputs(i));

    // kid strings alone (22 chars: beyond the 15-char SSO buffer), as
    // Base64UrlEncode returns them (it reserves, so the capacity is the
    // doubled SSO capacity, 30) and as an exact-size copy.
    {
      std::vector<std::string> kids;
      kids.reserve(n);
      const HeapUse before = Heap();
      for (int i = 0; i < n; ++i) kids.push_back(RandomKid());
      state.counters["kid_bytes_per_key"] =
          ReportBytes("  kid strings from Base64UrlEncode", before, Heap(), n);
      state.counters["kid_capacity"] = static_cast<double>(kids[0].capacity());
    }
    {
      std::vector<std::string> kids;
      kids.reserve(n);
      const HeapUse before = Heap();
      for (const KeyInputs& in : inputs) kids.push_back(in.kid);
      state.counters["kid_copy_bytes_per_key"] =
          ReportBytes("  kid strings, exact copies", before, Heap(), n);
    }
    // make_shared<const VerificationKey>, material and strings excluded
    // (empty kid, client_id and audience of 12 chars fit the SSO buffer).
    {
      std::vector<std::shared_ptr<const VerificationKey>> objects;
      objects.reserve(n);
      const HeapUse before = Heap();
      for (const KeyInputs& in : inputs) {
        VerificationKey key;
        key.client_id = in.client_id;
        key.audience = in.audience;
        objects.push_back(std::make_shared<const VerificationKey>(
            std::move(key)));
      }
      state.counters["object_bytes_per_key"] =
          ReportBytes("  shared VerificationKey objects", before, Heap(), n);
    }
    // The hash table: the same map type KeySet uses, values sharing one key.
    {
      const auto one = std::make_shared<const VerificationKey>();
      const HeapUse before = Heap();
      absl::flat_hash_map<absl::string_view,
                          std::shared_ptr<const VerificationKey>>
          map;
      for (const KeyInputs& in : inputs) map.emplace(in.kid, one);
      state.counters["table_bytes_per_key"] =
          ReportBytes("  flat_hash_map table", before, Heap(), n);
      state.counters["table_capacity"] = static_cast<double>(map.capacity());
    }
    // The set with revoked keys (fresh kids from Base64UrlEncode, moved in
    // as the factories do; no material): compared with the full set, the
    // difference is what the HMAC material costs on the heap.
    {
      const HeapUse before = Heap();
      KeySet::Builder builder;
      for (const KeyInputs& in : inputs) {
        VerificationKey key =
            VerificationKey::Revoked(RandomKid(), Algorithm::kHs256);
        key.client_id = in.client_id;  // 12 chars: inline (SSO)
        key.audience = in.audience;
        builder.AddKey(std::move(key));
      }
      std::shared_ptr<const KeySet> set = std::move(builder).Build();
      state.counters["no_material_bytes_per_key"] =
          ReportBytes("  KeySet of material-less keys", before, Heap(), n);
    }
    state.counters["sizeof_VerificationKey"] = sizeof(VerificationKey);
    state.counters["sizeof_HmacSha256Key"] = sizeof(crypto::HmacSha256Key);
    std::fprintf(stderr,
                 "jwt_bench memory: sizeof(VerificationKey) = %zu, "
                 "sizeof(HmacSha256Key) = %zu\n",
                 sizeof(VerificationKey), sizeof(crypto::HmacSha256Key));
  }
}
BENCHMARK(BM_Memory_Breakdown)->Iterations(1);

}  // namespace
}  // namespace meshid
