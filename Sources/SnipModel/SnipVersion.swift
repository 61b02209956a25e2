/// The version of snip (recorded in run directories and printed by `snip --version`).
public enum SnipVersion {
    public static let string = "0.1.0"
}
