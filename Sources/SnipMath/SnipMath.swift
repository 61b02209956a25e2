/// The `SnipMath` layer of snip (see docs/ARCHITECTURE.md). Its contents arrive with their own issue.
public enum SnipMath {}
