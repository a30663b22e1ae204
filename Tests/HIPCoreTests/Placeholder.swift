// HIPCoreTests: placeholder until its first real test lands (replaced, not kept).
