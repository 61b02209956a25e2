import ArgumentParser
import Foundation

/// Runs `body`; an error is printed as `snip: error: …` on stderr and ends the command with
/// exit code 1, instead of a stack trace.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        FileHandle.standardError.write(Data("snip: error: \(error)\n".utf8))
        throw ExitCode.failure
    }
}
