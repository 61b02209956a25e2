/// The version of snip, as `snip --version` prints it.
enum SnipVersion {
    static let string = "0.1.0"
}
