// OpenSSL libcrypto and libsodium side by side, for the CryptoProviders benchmark only: it calls both
// libraries' primitives directly to compare them (HIPCrypto, the only product target that uses them,
// does not export its COpenSSL and CSodium modules).
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sodium.h>
