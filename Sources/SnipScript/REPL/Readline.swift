@preconcurrency import CReadline
import Foundation
import SnipSystem

/// GNU readline: line editing, persistent history and tab completion.
public final class ReadlineReader: LineReader {
    private let historyPath: String?
    public private(set) var wasCancelled = false

    /// The names offered by tab completion (set by the REPL: built-ins, keywords, variables).
    nonisolated(unsafe) static var candidates: () -> [String] = { [] }
    nonisolated(unsafe) private static var matches: [String] = []
    nonisolated(unsafe) static var cancelled = false

    /// A reader whose history lives in `historyPath` (read now, written after each entry).
    public init(historyPath: String?, candidates: @escaping () -> [String]) {
        self.historyPath = historyPath
        ReadlineReader.candidates = candidates
        rl_readline_name = UnsafePointer(strdup("snip"))
        rl_catch_signals = 0
        rl_getc_function = { file in ReadlineReader.getc(file) }
        rl_completion_entry_function = { text, state in ReadlineReader.complete(text, state) }
        rl_basic_word_break_characters = UnsafePointer(strdup(" \t\n\"\\'`@$><=;|&{(,[+-*/%^"))
        rl_completion_append_character = 0
        using_history()
        stifle_history(2000)
        // A multi-line entry is one history item, also in the history file: entries are written
        // after a "#<time>" line, which tells read_history where one ends.
        history_comment_char = CChar(UInt8(ascii: "#"))
        history_write_timestamps = 1
        history_multiline_entries = 1
        if let historyPath { read_history(historyPath) }
    }

    public func readLine(prompt: String) -> String? {
        ReadlineReader.cancelled = false
        Interrupt.clear()
        guard let raw = readline(prompt) else { return nil }
        defer { free(raw) }
        wasCancelled = ReadlineReader.cancelled
        return wasCancelled ? "" : String(cString: raw)
    }

    public func addHistory(_ entry: String) {
        let trimmed = entry.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return }
        add_history(entry)
        if let historyPath { write_history(historyPath) }
    }

    /// Reads one key; Ctrl-C (the SIGINT flag, seen as EINTR) clears the line and ends it.
    private static func getc(_ file: UnsafeMutablePointer<FILE>?) -> Int32 {
        guard let file else { return EOF }
        var c: UInt8 = 0
        while true {
            let n = read(fileno(file), &c, 1)
            if n == 1 { return Int32(c) }
            if n == 0 { return EOF }
            if errno == EINTR {
                if Interrupt.isPending {
                    Interrupt.clear()
                    cancelled = true
                    rl_replace_line("", 0)
                    return 10
                }
                continue
            }
            return EOF
        }
    }

    private static func complete(_ text: UnsafePointer<CChar>?, _ state: Int32) -> UnsafeMutablePointer<CChar>? {
        if state == 0 {
            rl_completion_suppress_append = 1  // candidates end in "(" or are whole names
            let prefix = text.map { String(cString: $0) } ?? ""
            matches = candidates().filter { $0.hasPrefix(prefix) }
        }
        let k = Int(state)
        guard k < matches.count else { return nil }
        return strdup(matches[k])
    }
}
