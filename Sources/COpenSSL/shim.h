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
