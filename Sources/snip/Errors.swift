import ArgumentParser
import Foundation
import SnipModel

/// Runs `body`; an error is printed as `snip: error: …` on stderr and ends the command with
/// exit code 1, instead of a stack trace.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        FileHandle.standardError.write(Data("snip: error: \(userMessage(error))\n".utf8))
        throw ExitCode.failure
    }
}

/// An error as a user reads it: which file, what failed, why; never Foundation's internal
/// spelling (`Error Domain=NSCocoaErrorDomain Code=4 …`).
func userMessage(_ error: any Error) -> String {
    if let error = error as? DecodingError { return ModelConfig.describe(error) }
    let ns = error as NSError
    guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return "\(error)" }
    let path = ns.userInfo[NSFilePathErrorKey] as? String
        ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
    var reason: String
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        reason = String(cString: strerror(Int32(underlying.code)))
    } else if ns.domain == NSPOSIXErrorDomain {
        reason = String(cString: strerror(Int32(ns.code)))
    } else {
        switch CocoaError.Code(rawValue: ns.code) {
        case .fileNoSuchFile, .fileReadNoSuchFile: reason = "No such file or directory"
        case .fileReadNoPermission, .fileWriteNoPermission: reason = "Permission denied"
        case .fileWriteOutOfSpace: reason = "No space left on device"
        case .fileWriteFileExists: reason = "File exists"
        case .fileReadCorruptFile: reason = "the file is corrupt or not in the expected format"
        case .fileWriteVolumeReadOnly: reason = "Read-only file system"
        default: reason = "file operation failed (code \(ns.code))"
        }
    }
    return path.map { "\($0): \(reason)" } ?? reason
}
