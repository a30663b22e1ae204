// CDeterministicRandom: a predictable libcrypto RAND for fuzzer processes (see CDeterministicRandom.c).
#pragma once
#include <stdint.h>

/// Makes libcrypto's random bytes a SplitMix64 stream starting at `seed`. Returns 1 on success.
int fuzz_random_install(uint64_t seed);

/// Sets the stream's state and returns the previous one (to restart a stream, or to switch between streams).
uint64_t fuzz_random_exchange_state(uint64_t replacement);
