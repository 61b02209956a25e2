/// Shared helpers for snip's test targets.
public enum TestSupport {}
