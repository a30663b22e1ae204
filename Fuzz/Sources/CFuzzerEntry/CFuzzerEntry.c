// The program entry points of the fuzzer executables.
//
// SwiftPM links every ELF executable with `--defsym main=<Module>_main` (so that tests can call an
// executable's entry point). libFuzzer needs `-parse-as-library`, which emits no `<Module>_main`, so the
// link fails (swiftlang/swift-package-manager#8731). This file supplies `<Module>_main` for each fuzzer
// target (every executable links all of them and its `main` names its own) and hands control to
// libFuzzer's own driver, which then calls the executable's Swift `LLVMFuzzerTestOneInput`.

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

static int run(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}

int HIPWireFuzzer_main(int argc, char **argv) { return run(argc, argv); }
