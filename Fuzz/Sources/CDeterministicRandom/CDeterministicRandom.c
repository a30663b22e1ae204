// A deterministic libcrypto RAND for fuzzer processes, so that keys, DH values, signatures and nonces
// depend only on where a stream was set, not on the run: a generated seed corpus (an I2 that answers the
// fuzzed host's R1) stays valid in later runs, and one input always takes the same path.
//
// `fuzz_random_install` replaces libcrypto's RAND_METHOD (RAND_set_rand_method, deprecated in OpenSSL 3
// but still consulted first by RAND_bytes_ex and RAND_priv_bytes_ex, which key generation, DSA/ECDSA nonces
// and RAND_bytes use) with a SplitMix64 stream. Never in a product: the bytes are predictable by design.

#define OPENSSL_SUPPRESS_DEPRECATED
#include "CDeterministicRandom.h"
#include <openssl/rand.h>

static uint64_t state;

static uint64_t next_word(void) {
    state += 0x9E3779B97F4A7C15ULL;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static int fill(unsigned char *buffer, int count) {
    for (int offset = 0; offset < count; offset += 8) {
        uint64_t word = next_word();
        for (int index = 0; index < 8 && offset + index < count; index++) {
            buffer[offset + index] = (unsigned char)(word >> (8 * index));
        }
    }
    return 1;
}

static int ready(void) { return 1; }

static const RAND_METHOD method = {
    .bytes = fill,
    .pseudorand = fill,
    .status = ready,
};

int fuzz_random_install(uint64_t seed) {
    state = seed;
    return RAND_set_rand_method(&method);
}

uint64_t fuzz_random_exchange_state(uint64_t replacement) {
    uint64_t previous = state;
    state = replacement;
    return previous;
}
