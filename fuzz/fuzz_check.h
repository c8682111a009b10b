// FUZZ_CHECK: a property every input must satisfy. A failure prints the
// property and aborts, which libFuzzer reports as a crash and saves the
// input as the reproducer, exactly like a sanitizer finding.
#ifndef MESHID_FUZZ_FUZZ_CHECK_H_
#define MESHID_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                  \
  do {                                                                    \
    if (!(cond)) {                                                        \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__,    \
                   __LINE__, #cond);                                      \
      std::abort();                                                       \
    }                                                                     \
  } while (false)

#endif  // MESHID_FUZZ_FUZZ_CHECK_H_
