import Foundation

/// Writes samples to a `data.prefix` file in the reference's exact line format.
public final class DataPrefixWriter {
    /// The path being written.
    public let path: String
    /// Digits after the point of the `%.{precision}e` point strings (reference `float_precision`).
    public let precision: Int
    private var file: UnsafeMutablePointer<FILE>?

    /// Creates (or truncates, or with `append` extends) the file at `path`.
    public init(path: String, precision: Int = 3, append: Bool = false) throws(DataPrefixError) {
        self.path = path
        self.precision = precision
        guard let f = fopen(path, append ? "a" : "w") else {
            throw DataPrefixError(
                file: path, line: 0, reason: "cannot open: \(DataPrefixReader.errnoText())")
        }
        file = f
    }

    deinit { close() }

    /// Writes one sample as one line.
    public func write(_ sample: Sample) throws(DataPrefixError) {
        guard let f = file else {
            throw DataPrefixError(file: path, line: 0, reason: "writer is closed")
        }
        let line = sample.dataPrefixLine(precision: precision) + "\n"
        let ok =
            line.utf8.withContiguousStorageIfAvailable { bytes in
                fwrite(bytes.baseAddress, 1, bytes.count, f) == bytes.count
            } ?? false
        guard ok else {
            throw DataPrefixError(
                file: path, line: 0, reason: "write failed: \(DataPrefixReader.errnoText())")
        }
    }

    /// Flushes and closes the file (also done when the writer is released).
    public func close() {
        if let f = file { fclose(f) }
        file = nil
    }
}
