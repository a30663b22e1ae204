// The version of synaptic: defined here only. `synaptic --version` prints it, and `make image` tags the
// container image with it (synaptic:<version>).
enum SynapticVersion {
    static let current = "0.11.0"
}
