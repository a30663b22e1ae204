// The program entry point of the fuzzer executable.
//
// SwiftPM links every ELF executable with `--defsym main=<Module>_main` (so that tests can call an
// executable's entry point). libFuzzer needs `-parse-as-library`, which emits no `<Module>_main`, so the
// link fails (swiftlang/swift-package-manager#8731). This file supplies `<Target>_main` for each fuzzer and hands
// control to libFuzzer's own driver, which then calls the Swift `LLVMFuzzerTestOneInput`.

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

int HIPWireFuzzer_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}

int OffloadFuzzer_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
