// The program entry points of the fuzzer executables.
//
// SwiftPM links every ELF executable with `--defsym main=<Module>_main` (so that tests can call an
// executable's entry point). libFuzzer needs `-parse-as-library`, which emits no `<Module>_main`, so the
// link fails (swiftlang/swift-package-manager#8731). This file supplies `<Module>_main` for each fuzzer
// target (every executable links all of them and its `main` names its own) and hands control to
// libFuzzer's own driver, which then calls the executable's Swift `LLVMFuzzerTestOneInput`.
//
// `<fuzzer> --write-seeds DIR` instead calls the executable's `synaptic_fuzz_write_seeds(DIR)`, which the
// harnesses whose seed corpus is generated (their inputs carry keys or signatures) define; the others leave
// the weak symbol undefined and say so.

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
__attribute__((weak)) int synaptic_fuzz_write_seeds(const char *directory);

static int run(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--write-seeds") == 0) {
        if (synaptic_fuzz_write_seeds == NULL) {
            fprintf(stderr, "%s: this fuzzer has no seed writer\n", argv[0]);
            return 2;
        }
        return synaptic_fuzz_write_seeds(argv[2]);
    }
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}

int HIPWireFuzzer_main(int argc, char **argv) { return run(argc, argv); }
int ESPInboundFuzzer_main(int argc, char **argv) { return run(argc, argv); }
int HIPHostFuzzer_main(int argc, char **argv) { return run(argc, argv); }
int ConfigFuzzer_main(int argc, char **argv) { return run(argc, argv); }
int OffloadFuzzer_main(int argc, char **argv) { return run(argc, argv); }
