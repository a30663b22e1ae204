// SynapticTestSupport: placeholder until its first real file lands (replaced, not kept).
