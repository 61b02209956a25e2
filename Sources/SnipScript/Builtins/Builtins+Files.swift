import Foundation
import SnipNN
import SnipSystem

extension Builtins {
    static let files: [Builtin] = [
        Builtin("env", .files, [.req("name"), .opt("default")], doc: """
            The environment variable name as a string, or default when it is not set (an error without \
            a default): steps = num(env("STEPS", "300")).
            """) { interp, a in
            let name = try a.string("name")
            if let v = interp.environment[name] { return .string(v) }
            if let d = a.value("default") { return d }
            throw Diagnostic(.name, "env: the environment variable \(name) is not set (give a default: "
                + "env(\"\(name)\", \"…\"))", at: a.range("name"))
        },
        Builtin("read_csv", .files, [.req("path"), .def("sep", .string(","))],
                doc: "Reads a file of numbers, one row per line, separated by sep. A first line that is not "
                    + "numeric is taken as a header and skipped. One column gives a vector, several a matrix.") {
            interp, a in
            let path = interp.resolvePath(try a.string("path"))
            try checkFilesAllowed(interp, a)
            let sep = try a.string("sep")
            guard let sepChar = sep.first, sep.count == 1 else {
                throw Diagnostic(.value, "read_csv: sep must be one character", at: a.range("sep"))
            }
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw Diagnostic(.file, "cannot read '\(path)': \(describeFileError(error, path: path))", at: a.range("path"))
            }
            var rows: [[Double]] = []
            // lines end in \n, \r\n or \r (a Character "\r\n" is not "\n", so split on newlines)
            for (k, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                let fields = trimmed.split(separator: sepChar, omittingEmptySubsequences: false)
                let numbers = fields.map { Double($0.trimmingCharacters(in: .whitespaces)) }
                if numbers.contains(where: { $0 == nil }) {
                    if rows.isEmpty && k == 0 { continue }  // header
                    throw Diagnostic(.file, "\(path):\(k + 1): not a row of numbers: \(trimmed.prefix(60))",
                                     at: a.range("path"))
                }
                let row = numbers.map { $0! }
                if let first = rows.first, first.count != row.count {
                    throw Diagnostic(.file, "\(path):\(k + 1): \(row.count) columns, expected \(first.count)",
                                     at: a.range("path"))
                }
                rows.append(row)
                try NDArray.checkSize([rows.count, row.count], at: a.range)
            }
            guard let width = rows.first?.count else { return .array(NDArray(vector: [])) }
            if width == 1 { return .array(NDArray(vector: rows.map { $0[0] })) }
            return .array(NDArray(shape: [rows.count, width], data: rows.flatMap { $0 }))
        },
        Builtin("write_csv", .files, [.req("path"), .req("data"), .opt("header")],
                doc: "Writes a vector (one column), a matrix (its rows) or a list of equally long vectors "
                    + "(as columns) to a CSV file; header is an optional list of column names.") { interp, a in
            let path = interp.resolvePath(try a.string("path"))
            try checkFilesAllowed(interp, a)
            var columns: [[Double]] = []
            switch a.value("data") {
            case .list(let items)?:
                for item in items {
                    guard case .array(let v) = item, v.isVector else {
                        throw Diagnostic(.type, "write_csv: a list of vectors is written as columns; "
                            + "found a \(item.typeName)", at: a.range("data"))
                    }
                    columns.append(v.data)
                }
                guard Set(columns.map(\.count)).count <= 1 else {
                    throw Diagnostic(.shape, "write_csv: the columns differ in length", at: a.range("data"))
                }
            default:
                let m = try a.array("data")
                if m.isVector {
                    columns = [m.data]
                } else {
                    columns = (0..<m.columns).map { j in (0..<m.rows).map { m.data[$0 * m.columns + j] } }
                }
            }
            var text = ""
            if let header = a.value("header") {
                guard case .list(let names) = header else { throw a.typeError("header", "a list of strings") }
                guard names.count == columns.count else {
                    throw Diagnostic(.shape, "write_csv: the header names \(names.count) column\(names.count == 1 ? "" : "s") "
                        + "but the data has \(columns.count)", at: a.range("header"))
                }
                text += names.map(\.display).joined(separator: ",") + "\n"
            }
            let rowCount = columns.first?.count ?? 0
            for i in 0..<rowCount {
                text += columns.map { formatNumber($0[i]) }.joined(separator: ",") + "\n"
            }
            do {
                // atomic for a regular file; a device or a pipe is written in place, never replaced
                try AtomicFile.write(text: text, to: path)
            } catch {
                throw Diagnostic(.file, "cannot write '\(path)': \(describeFileError(error, path: path))", at: a.range("path"))
            }
            return .nothing
        },
    ]

    static func checkFilesAllowed(_ interp: Interpreter, _ a: BoundArguments) throws {
        guard interp.allowsFiles else {
            throw Diagnostic(.file, "files are disabled in this session", at: a.range)
        }
    }

    static func describeFileError(_ error: Error, path: String? = nil) -> String {
        // the atomic writer's errors carry the system's reason; a missing folder is said in words
        if let failure = error as? FileWriteError, let path {
            let shown = describeFileSystemError(error, path: path)
            return shown.hasPrefix("the folder") || shown.hasPrefix("'") || shown == "it is a directory" ? shown : failure.reason
        }
        return describeSystemError(error, path: path)
    }
}

/// What an error says, in words: Foundation's file errors (which print as "NSCocoaErrorDomain
/// error 256") are described by `describeFileSystemError`; other errors print as they are.
public func describeSystemError(_ error: Error, path: String? = nil) -> String {
    let domain = (error as NSError).domain
    if domain == NSCocoaErrorDomain || domain == NSPOSIXErrorDomain {
        return describeFileSystemError(error, path: path)
    }
    return "\(error)"
}

/// Why a file operation on `path` failed, in words (never Foundation's error domains and
/// codes): the system's reason when there is one, else what the file system shows.
func describeFileSystemError(_ error: Error, path: String?) -> String {
    // what the file system shows first: it names the folder that is missing
    if let path {
        var isDirectory: ObjCBool = false
        let fm = FileManager.default
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { return "it is a directory" }
        } else {
            let folder = (path as NSString).deletingLastPathComponent
            var folderIsDirectory: ObjCBool = false
            if !folder.isEmpty, !fm.fileExists(atPath: folder, isDirectory: &folderIsDirectory) {
                return "the folder '\(folder)' does not exist"
            }
            if !folder.isEmpty, !folderIsDirectory.boolValue { return "'\(folder)' is not a folder" }
        }
    }
    let ns = error as NSError
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(underlying.code)))
    }
    if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
    if ns.domain == NSCocoaErrorDomain {
        switch ns.code {
        case NSFileReadNoSuchFileError, NSFileNoSuchFileError: return "no such file"
        case NSFileReadNoPermissionError, NSFileWriteNoPermissionError: return "permission denied"
        case NSFileReadCorruptFileError, NSFileReadInapplicableStringEncodingError: return "not UTF-8 text"
        case NSFileWriteOutOfSpaceError: return "no space left on the device"
        case NSFileWriteVolumeReadOnlyError: return "the file system is read-only"
        default: break
        }
    }
    if let path, FileManager.default.fileExists(atPath: path), !FileManager.default.isReadableFile(atPath: path) {
        return "permission denied"
    }
    return "the operation failed"
}

extension Interpreter {
    /// A user-given path, relative to `baseDirectory` when one is set.
    func resolvePath(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        guard let base = baseDirectory, !expanded.hasPrefix("/") else { return expanded }
        return (base as NSString).appendingPathComponent(expanded)
    }
}
