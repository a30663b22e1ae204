// OpenSSL 3 libcrypto, as seen from Swift. Only HIPCrypto imports this module.
#include <openssl/evp.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/param_build.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/dh.h>

// Function-like or compound macros Swift cannot import.
static inline int synaptic_EVP_PKEY_PUBLIC_KEY(void) { return EVP_PKEY_PUBLIC_KEY; }
static inline int synaptic_EVP_PKEY_KEYPAIR(void) { return EVP_PKEY_KEYPAIR; }
static inline void synaptic_OPENSSL_free(void *p) { OPENSSL_free(p); }

// ESP HMAC-SHA-256 per packet without allocation (used by HIPCrypto's ESP transforms). In OpenSSL 3.0
// every EVP digest or EVP_MAC re-initialisation frees and mallocs the provider context, so the ESP
// authenticator keeps precomputed HMAC inner/outer SHA256_CTX states (RFC 2104 §4) and copies them per
// packet. The SHA-256 block functions are deprecated in 3.0 but present (same assembly as EVP); these
// wrappers are the only place that names them.
#include <openssl/sha.h>
static inline int synaptic_SHA256_Init(SHA256_CTX *c) { return SHA256_Init(c); }
static inline int synaptic_SHA256_Update(SHA256_CTX *c, const void *data, size_t len) { return SHA256_Update(c, data, len); }
static inline int synaptic_SHA256_Final(unsigned char *md, SHA256_CTX *c) { return SHA256_Final(md, c); }
