// libsodium, as seen from Swift. Only HIPCrypto imports this module.
#include <sodium.h>
